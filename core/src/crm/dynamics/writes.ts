import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CallContext, WriteOutcome } from "../../ports/crm-outbound";
import { RecordOutcomes } from "../kit/record-writer";
import type { DataverseApi } from "./api";
import { type BatchOperation, type ChangeSetAnswer, type PartAnswer, sendBatch } from "./batch";
import { answerError, dataverseCodes } from "./errors";
import type { DataverseRow } from "./mapping";
import { byId, byKey } from "./odata";

type Table = { entitySet: string; primaryKey: string; key: string };

/**
 * What writing one record takes: the upsert of its row, with the operations
 * that must commit with it (`withRow`: closing an opportunity) in one change
 * set, then follow-ups such as timeline notes, each a change set of its own
 * so a note already there cannot roll the row back.
 */
export type RecordWrites = { sourceId: string; table: Table; row: BatchOperation; withRow?: BatchOperation[]; followUps: BatchOperation[] };

/** `PATCH /contacts(ct_customerid='…')`, answered with the row's ID (201 created, 200 updated). */
export function upsertByKey(table: Table, sourceId: string, body: DataverseRow): BatchOperation {
  return { method: "PATCH", path: byKey(table.entitySet, table.key, sourceId), query: { $select: table.primaryKey }, headers: { prefer: "return=representation" }, json: body };
}

/** Creates the record with this ID unless it exists (`If-None-Match: *`; 412 then means "already written"). */
export function createOnce(entitySet: string, id: string, body: DataverseRow): BatchOperation {
  return { method: "PATCH", path: byId(entitySet, id), headers: { "if-none-match": "*" }, json: body };
}

/**
 * An upsert that lost a race with a concurrent create of the same key is
 * refused as a duplicate; sent again it finds the record and updates it.
 * Past this many rounds the conflict goes to the retry policy.
 */
const rounds = 3;

const codeOf = (answer: PartAnswer) => answerError(answer.status, answer.headers, answer.text).details.code;

function lostRace(answer: ChangeSetAnswer | undefined): boolean {
  return answer !== undefined && !answer.ok && answer.answer.status === 412 && codeOf(answer.answer) === dataverseCodes.duplicateRecord;
}

/** A written row's representation: its primary key (schemas built once per key, not per record). */
const representations = new Map<string, z.ZodType<Record<string, string>>>();
const representation = (primaryKey: string) => {
  let schema = representations.get(primaryKey);
  if (!schema) representations.set(primaryKey, (schema = z.object({ [primaryKey]: z.string() })));
  return schema;
};

function rowId(table: Table, answer: PartAnswer): string {
  try {
    const parsed = representation(table.primaryKey).safeParse(JSON.parse(answer.text));
    if (parsed.success) return parsed.data[table.primaryKey]!;
  } catch {
    // A 204 without representation: the ID is in OData-EntityId.
  }
  const fromHeader = /\(([0-9a-fA-F-]{36})\)$/.exec(answer.headers["odata-entityid"] ?? "")?.[1];
  if (fromHeader) return fromHeader.toLowerCase();
  throw new SyncError({ errorClass: "unknown", message: `Dynamics 365 answered a ${table.entitySet} upsert without the record's ID` });
}

/** A follow-up's refusal that means it is done already: the create-only note exists. */
const alreadyThere = (operation: BatchOperation, answer: PartAnswer) =>
  operation.headers?.["if-none-match"] === "*" && answer.status === 412 && codeOf(answer) === dataverseCodes.duplicateRecord;

/** Positions cut into runs whose operations fit one `$batch`. */
function chunks(records: readonly RecordWrites[], positions: number[], maxOperations: number): number[][] {
  const out: number[][] = [];
  let size = maxOperations;
  for (const i of positions) {
    const operations = 1 + (records[i]!.withRow?.length ?? 0) + records[i]!.followUps.length;
    if (size + operations > maxOperations) {
      out.push([]);
      size = 0;
    }
    out.at(-1)!.push(i);
    size += operations;
  }
  return out;
}

/** Runs `tasks` at most `parallel` at a time; the first failure fails the whole. */
async function inParallel(tasks: (() => Promise<void>)[], parallel: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
}

/**
 * Writes records through `$batch`: one HTTP call per `maxOperations`
 * operations, each record's row in a change set of its own, outcomes in input
 * order. A record Dataverse refused is its outcome; a refusal of the call
 * (throttling, outage, auth), or of a record for such a reason, is thrown for
 * the retry policy (the kit's record outcomes make that split).
 */
export async function writeInBatches(
  api: DataverseApi,
  records: readonly RecordWrites[],
  ctx: CallContext,
  options: { maxOperations: number; parallel: number },
): Promise<WriteOutcome[]> {
  const book = new RecordOutcomes(records);
  let pending = book.open();
  for (let round = 1; pending.length > 0; round++) {
    const again: number[] = [];
    const calls = chunks(records, pending, options.maxOperations).map((chunk) => async () => {
      const changeSets = chunk.flatMap((i) => [[records[i]!.row, ...(records[i]!.withRow ?? [])], ...records[i]!.followUps.map((f) => [f])]);
      const answers = await sendBatch(api, changeSets, ctx);
      let at = 0;
      for (const i of chunk) {
        const { table, followUps } = records[i]!;
        const row = answers[at];
        const follow = answers.slice(at + 1, at + 1 + followUps.length);
        at += 1 + followUps.length;
        if (lostRace(row) && round < rounds) {
          again.push(i);
          continue;
        }
        await book.attempt(i, async () => {
          if (!row || follow.some((f) => f === undefined)) throw new SyncError({ errorClass: "unknown", message: "Dynamics 365 did not run this record's part of the $batch" });
          if (!row.ok) throw answerError(row.answer.status, row.answer.headers, row.answer.text);
          follow.forEach((answer, k) => {
            if (answer && !answer.ok && !alreadyThere(followUps[k]!, answer.answer)) throw answerError(answer.answer.status, answer.answer.headers, answer.answer.text);
          });
          const written = row.answers[0]!;
          book.succeed(i, { crmId: rowId(table, written), created: written.status === 201 });
        });
      }
    });
    await inParallel(calls, options.parallel);
    pending = again.sort((a, b) => a - b);
  }
  return book.outcomes();
}
