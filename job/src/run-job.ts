import { randomUUID } from "node:crypto";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { JobStateStore } from "@ct-crm-sync/core/state/job-state";
import { retryDueFailures } from "./retry-due-failures";

export const logRetentionDays = 30;

/** One scheduled run: due retries, then pruning of old log entries. */
export async function runJob(runtime: Runtime) {
  const correlationId = `job-${randomUUID()}`;
  const logger = runtime.logger.child({ correlationId });
  const state = new JobStateStore(runtime.store, runtime.connection);
  const startedAt = runtime.clock.now().toISOString();
  const started = await state.saveRun({ startedAt, outcome: "running" });
  const counts: Record<string, number> = {};
  let outcome: "succeeded" | "failed" = "succeeded";
  let detail: string | undefined;
  try {
    const retries = await retryDueFailures(runtime, correlationId);
    counts.retried = retries.due;
    counts.retriedResolved = retries.resolved;
    counts.retryErrors = retries.errors;
    const cutoff = new Date(runtime.clock.now().getTime() - logRetentionDays * 86_400_000);
    counts.logPruned = await runtime.log.prune(cutoff);
  } catch (error) {
    outcome = "failed";
    detail = (error as Error).message;
    logger.error("job run failed", { errorMessage: detail });
  }
  const run = { startedAt, finishedAt: runtime.clock.now().toISOString(), outcome, counts, detail };
  await state.saveRun(run, started.version);
  logger.info("job run finished", { outcome, counts });
  return run;
}
