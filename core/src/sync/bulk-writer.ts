import { toSyncError } from "../domain/errors";
import { failureKey } from "../domain/keys";
import type { Person } from "../domain/model";
import type { CallContext, CrmBulkWrites, WriteOutcome } from "../ports/crm-adapter";
import type { KeyValueStore } from "../ports/key-value-store";
import { withRetry } from "../reliability/retry";
import { containers } from "../state/containers";
import { type RecordOutcome, recordFailure, recordHash, type WriterDeps, writeRecords } from "./record-writer";

/** Runs tasks with at most `limit` in flight (link saves: one custom object each). */
export async function inPool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * People for a backfill: unchanged and stale ones dropped against the links
 * (as writeRecords does), the rest through the CRM's bulk path when there are
 * at least `bulk.threshold` of them, else through the batched writes. Then,
 * like writeRecords, links for successes and failure entries for failures:
 * when this returns, every record is written or in the failure store.
 *
 * Failure entries are looked up in one query per 100 records, so a clean
 * backfill does not pay a read per record to "resolve" entries that do not exist.
 */
export async function writePeopleInBulk(
  deps: WriterDeps & { store: KeyValueStore; linkConcurrency?: number },
  bulk: CrmBulkWrites | undefined,
  people: Person[],
  ctx: CallContext,
): Promise<RecordOutcome[]> {
  const links = await deps.links.getMany("person", people.map((p) => p.sourceId));
  const outcomes = new Map<string, RecordOutcome>();
  const pending: { record: Person; hash: string }[] = [];
  for (const record of people) {
    const link = links.get(record.sourceId)?.value;
    const hash = recordHash(record);
    if (link && link.sourceVersion > record.sourceVersion) outcomes.set(record.sourceId, { entity: "person", sourceId: record.sourceId, outcome: "stale", crmId: link.crmId });
    else if (link && link.hash === hash) outcomes.set(record.sourceId, { entity: "person", sourceId: record.sourceId, outcome: "unchanged", crmId: link.crmId });
    else pending.push({ record, hash });
  }
  if (!bulk || pending.length < bulk.threshold) {
    const written = await writeRecords(deps, "person", pending.map((p) => p.record), ctx);
    for (const o of written) outcomes.set(o.sourceId, o);
    return people.map((p) => outcomes.get(p.sourceId)!);
  }

  let results: WriteOutcome[];
  try {
    results = await withRetry(() => bulk.upsertPeople(pending.map((p) => p.record), ctx), deps.retry, deps.clock, undefined, ctx.signal);
  } catch (raw) {
    ctx.signal?.throwIfAborted();
    const error = toSyncError(raw).details;
    results = pending.map((p) => ({ sourceId: p.record.sourceId, ok: false as const, error }));
  }
  const existingFailures = await deps.store.getMany(
    containers.failures,
    pending.map((p) => failureKey(deps.connection, "ct-to-crm", "person", p.record.sourceId)),
  );
  const at = deps.clock.now().toISOString();
  await inPool(
    pending.map((p, i) => ({ ...p, result: results[i] })),
    deps.linkConcurrency ?? 8,
    async ({ record, hash, result }) => {
      const sourceId = record.sourceId;
      if (result?.ok) {
        const { sourceVersion: _v, ...written } = record;
        await deps.links.save(
          { connection: deps.connection, entity: "person", sourceId, crmId: result.crmId, sourceVersion: record.sourceVersion, hash, written, syncedAt: at, correlationId: ctx.correlationId },
          links.get(sourceId),
        );
        if (existingFailures.has(failureKey(deps.connection, "ct-to-crm", "person", sourceId))) {
          await deps.failures.resolve(deps.connection, "ct-to-crm", "person", sourceId, record.sourceVersion);
        }
        outcomes.set(sourceId, { entity: "person", sourceId, outcome: "written", crmId: result.crmId });
      } else {
        const error = result?.ok === false ? result.error : { errorClass: "unknown" as const, message: "CRM answered fewer results than records sent" };
        await recordFailure(deps, "person", sourceId, error, ctx, record, record.sourceVersion);
        outcomes.set(sourceId, { entity: "person", sourceId, outcome: "failed", error });
      }
    },
  );
  return people.map((p) => outcomes.get(p.sourceId)!);
}
