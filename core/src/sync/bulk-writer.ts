import { toSyncError } from "../domain/errors";
import type { Person } from "../domain/model";
import type { CallContext, CrmBulkWrites, WriteOutcome } from "../ports/crm-adapter";
import { withRetry } from "../reliability/retry";
import { type RecordOutcome, recordHash, settleWrites, type WriterDeps, writeRecords } from "./record-writer";

/** The pool settleWrites uses, for callers that pace their own per-record work the same way. */
export { inPool } from "./record-writer";

/**
 * People for a backfill: unchanged and stale ones dropped against the links
 * (as writeRecords does), the rest through the CRM's bulk path when there are
 * at least `bulk.threshold` of them, else through the batched writes. Then,
 * like writeRecords, links for successes and failure entries for failures
 * (settleWrites): when this returns, every record is written or in the failure store.
 */
export async function writePeopleInBulk(
  deps: WriterDeps,
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
  const settled = await settleWrites(deps, "person", pending.map((p, i) => ({ ...p, result: results[i] })), links, ctx);
  for (const o of settled) outcomes.set(o.sourceId, o);
  return people.map((p) => outcomes.get(p.sourceId)!);
}
