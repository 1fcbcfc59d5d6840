import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { type RecordWrite, writeEach } from "../kit/record-writer";
import { send, type Call } from "./connection";
import { isTaken } from "./errors";
import { runBulkJobs } from "./bulk";
import { identifierOf, type Item, type ModuleSpec, type WriteCall } from "./modules";
import { recordSchema } from "./schemas";

/** What to do when Freshsales refuses a record because another holds one of its unique values (a contact's email). */
export type WhenTaken = (item: Item, error: SyncError) => Promise<RecordWrite>;

/**
 * From this many records on, a bulk_upsert job (the request and at least one
 * status read) costs fewer calls than one upsert each.
 */
export const bulkFrom = 3;

/**
 * `POST /<module>/upsert` on the item's identifier. Freshsales finds, then
 * creates: two upserts of one new key at once can both miss, and the later
 * create is refused as taken; sent once more, it finds the record and updates it.
 */
export async function upsertOne(call: Call, spec: ModuleSpec, item: Item): Promise<RecordWrite> {
  const json = { unique_identifier: identifierOf(spec, item), [spec.one]: item.body };
  const answerSchema = z.object({ [spec.one]: recordSchema });
  const run = () => send(call, "POST", `/${spec.module}/upsert`, answerSchema, { json });
  let answer: z.infer<typeof answerSchema>;
  try {
    answer = await run();
  } catch (error) {
    if (!(error instanceof SyncError && isTaken(error.details))) throw error;
    answer = await run();
  }
  const record = answer[spec.one]!;
  // 200 and 201 are not told apart reliably: a record just created has not been updated since.
  return { crmId: record.id, created: record.created_at === record.updated_at };
}

/**
 * Upserts `items`, outcomes in input order: a few one request each, more
 * through bulk_upsert jobs of at most 100. Records refused because another
 * record holds a unique value of theirs go through `whenTaken` one by one.
 * IDs written are learnt for later links.
 */
export async function upsertAll(call: WriteCall, spec: ModuleSpec, items: Item[], whenTaken?: WhenTaken): Promise<WriteOutcome[]> {
  const writeOne = async (item: Item) => {
    try {
      return await upsertOne(call, spec, item);
    } catch (error) {
      if (whenTaken && error instanceof SyncError && isTaken(error.details)) return whenTaken(item, error);
      throw error;
    }
  };
  let outcomes: WriteOutcome[];
  if (items.length < bulkFrom) {
    outcomes = await writeEach(items, writeOne);
  } else {
    outcomes = await runBulkJobs(call, spec, items);
    const taken = whenTaken ? [...outcomes.keys()].filter((i) => { const o = outcomes[i]!; return !o.ok && isTaken(o.error); }) : [];
    const again = await writeEach(taken.map((i) => items[i]!), writeOne);
    taken.forEach((i, k) => (outcomes[i] = again[k]!));
  }
  for (const outcome of outcomes) if (outcome.ok) call.known.set(spec.module, outcome.sourceId, outcome.crmId);
  return outcomes;
}
