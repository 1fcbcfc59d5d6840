import type { Runtime } from "@ct-crm-sync/core/runtime";
import { replayFailure } from "@ct-crm-sync/core/sync/replay";

/** Replays failure-store entries whose next attempt time has come; returns counts. */
export async function retryDueFailures(runtime: Runtime, correlationId: string, max = 500) {
  const counts = { due: 0, resolved: 0, failed: 0 };
  const page = await runtime.failures.list(
    { state: "retrying", dueBefore: runtime.clock.now().toISOString() },
    { limit: max, sort: ["value.nextAttemptAt asc"] },
  );
  for (const failure of page.items) {
    counts.due++;
    const result = await replayFailure(runtime.sync, runtime.failures, failure, { correlationId });
    if (result.outcome === "resolved") counts.resolved++;
    else counts.failed++;
  }
  return counts;
}
