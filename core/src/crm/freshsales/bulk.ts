import { SyncError } from "../../domain/errors";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { chunks, inPool } from "../../pool";
import { send } from "./connection";
import { refusal } from "./errors";
import { jobAccepted, jobStatusSchema, type JobResult } from "./schemas";
import { identifierOf, type Item, type ModuleSpec, type WriteCall } from "./modules";

/** Records one bulk_upsert request may carry. */
export const maxBulkRecords = 100;
/** Jobs of one call submitted and awaited at once; Freshsales runs an account's jobs one after another anyway. */
const jobsInFlight = 2;
/** A job is first asked after this long, then at doubling intervals: each status read is a call from the hourly budget. */
const firstPollMs = 1_000;
const maxPollMs = 15_000;
const jobTimeoutMs = 15 * 60_000;

/**
 * Writes `items` through bulk_upsert jobs of at most 100 records, each
 * awaited through its job status, outcomes in input order. A call refused
 * (throttling, an outage) fails the whole call: every record is an upsert,
 * so the retry policy may send them all again.
 */
export async function runBulkJobs(call: WriteCall, spec: ModuleSpec, items: Item[]): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = new Array(items.length);
  const parts = chunks([...items.keys()], maxBulkRecords);
  await inPool(parts, jobsInFlight, async (part) => {
    const results = await runJob(call, spec, part.map((i) => items[i]!));
    part.forEach((i, k) => (outcomes[i] = results[k]!));
  });
  return outcomes;
}

async function runJob(call: WriteCall, spec: ModuleSpec, items: Item[]): Promise<WriteOutcome[]> {
  const json = { [spec.module]: items.map((item) => ({ unique_identifier: identifierOf(spec, item), data: item.body })) };
  const { job_id } = await send(call, "POST", `/${spec.module}/bulk_upsert`, jobAccepted, { json });
  const results = new Map((await awaitJob(call, job_id)).map((r) => [r.index, r]));
  return items.map((item, index): WriteOutcome => {
    const result = results.get(index);
    if (!result) return { sourceId: item.sourceId, ok: false, error: { errorClass: "unknown", message: "Freshsales' bulk job gave no result for this record" } };
    if (result.status === "success") return { sourceId: item.sourceId, ok: true, crmId: result.id, created: result.action === "created" };
    return { sourceId: item.sourceId, ok: false, error: refusal(result.errors.code ?? 400, result.errors.message) };
  });
}

async function awaitJob(call: WriteCall, jobId: string): Promise<JobResult[]> {
  const deadline = call.clock.now().getTime() + jobTimeoutMs;
  for (let waitMs = firstPollMs; ; waitMs = Math.min(waitMs * 2, maxPollMs)) {
    try {
      await call.clock.sleep(waitMs, call.ctx.signal);
    } catch (cause) {
      throw new SyncError({ errorClass: "crm_unavailable", message: "gave up waiting for Freshsales' bulk job: the caller's deadline passed" }, { cause });
    }
    const { job_status: job } = await send(call, "GET", `/job_statuses/${encodeURIComponent(jobId)}`, jobStatusSchema);
    if (job.status === "completed") return job.results;
    if (job.status === "failed") throw new SyncError({ errorClass: "unknown", message: "Freshsales' bulk job failed as a whole" });
    if (call.clock.now().getTime() > deadline) throw new SyncError({ errorClass: "crm_unavailable", message: `Freshsales' bulk job still ${job.status} after ${jobTimeoutMs / 60_000} minutes` });
  }
}
