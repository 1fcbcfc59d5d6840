import type { Runtime } from "@ct-crm-sync/core/runtime";
import { logEntries } from "@ct-crm-sync/core/state/sync-log";
import { inboundOf } from "@ct-crm-sync/core/sync/inbound/index";
import { replayFailure } from "@ct-crm-sync/core/sync/replay";

/**
 * Replays failure-store entries whose next attempt time has come; returns counts.
 * One entry that cannot be replayed now (commercetools or the failure store
 * unreachable) is counted and left for the next run: it must not stop the others.
 */
export async function retryDueFailures(runtime: Runtime, correlationId: string, max = 500) {
  const counts = { due: 0, resolved: 0, failed: 0, errors: 0 };
  const page = await runtime.failures.list(
    { state: "retrying", dueBefore: runtime.clock.now().toISOString() },
    { limit: max, sort: ["value.nextAttemptAt asc"] },
  );
  const deps = { sync: runtime.sync, inbound: inboundOf(runtime).sync, failures: runtime.failures };
  for (const failure of page.items) {
    counts.due++;
    try {
      const result = await replayFailure(deps, failure, { correlationId });
      if (result.outcome === "resolved") counts.resolved++;
      else counts.failed++;
      const meta = { at: runtime.clock.now().toISOString(), correlationId, connection: runtime.connection };
      await runtime.log.append("job", logEntries(result.outcomes ?? [], meta));
    } catch (error) {
      counts.errors++;
      runtime.logger.warn("due failure could not be retried", {
        correlationId,
        failureId: failure.id,
        errorName: (error as Error)?.name,
        errorMessage: (error as Error)?.message,
      });
    }
  }
  return counts;
}
