import { toSyncError } from "../domain/errors";
import type { Person } from "../domain/model";
import type { CallContext, CrmBulkWrites, WriteOutcome } from "../ports/crm-outbound";
import type { Clock } from "../ports/clock";
import { type RetryPolicy, withRetry } from "../reliability/retry";

/**
 * People through the CRM's bulk path (writeRecords takes it for backfills of
 * at least `bulk.threshold` people), retried by the one policy; outcomes in
 * input order. A job that was stopped gives up instead of recording every
 * record as failed: its checkpoint has not moved, so the next run redoes them.
 */
export async function bulkUpsertPeople(
  deps: { retry: RetryPolicy; clock: Clock },
  bulk: CrmBulkWrites,
  people: Person[],
  ctx: CallContext,
): Promise<WriteOutcome[]> {
  try {
    return await withRetry(() => bulk.upsertPeople(people, ctx), deps.retry, deps.clock, undefined, ctx.signal);
  } catch (raw) {
    ctx.signal?.throwIfAborted();
    const error = toSyncError(raw).details;
    return people.map((p) => ({ sourceId: p.sourceId, ok: false as const, error }));
  }
}
