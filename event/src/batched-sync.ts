import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { logEntries } from "@ct-crm-sync/core/state/sync-log";
import { PushBatcher } from "@ct-crm-sync/core/sync/push-batcher";
import { correlationOf, type RecordOutcome } from "@ct-crm-sync/core/sync/record-writer";
import type { SyncedTypeId } from "@ct-crm-sync/core/sync/sync-service";

/** How the event app gathers pushes into batches and when it steps back (answers 503). */
export const batchingEnv = z.object({
  EVENT_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(1_000).default(25),
  EVENT_BATCHES_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(4),
  EVENT_MAX_WAITING_PUSHES: z.coerce.number().int().min(1).default(2_000),
  EVENT_MAX_QUEUE_DELAY_MS: z.coerce.number().int().min(1).max(8_000).default(2_000),
  EVENT_CRM_BUDGET_SHARE: z.coerce.number().gt(0).max(1).default(0.8),
  EVENT_BUDGET_PROBE_SECONDS: z.coerce.number().min(0).max(3_600).default(10),
});
export type BatchingSettings = z.infer<typeof batchingEnv>;

/** One push's share of a batch: the resource it names, its own correlation ID and deadline. */
export type Push = { group: SyncedTypeId; id: string; correlationId: string; signal: AbortSignal };

/**
 * The event app's writes: pushes gathered by resource type (for a window, up
 * to the CRM's batch size; many pushes of one cart, the busiest type, are one
 * read of its newest state and one write), their resources read with one query per batch and
 * written in one batched CRM call per kind (SyncService.syncByIds), one sync
 * log entry per batch. Each push is answered with its own record's outcomes;
 * its link and failure entry carry its own correlation ID, and the batch's
 * CRM calls stop at the earliest deadline of its pushes.
 */
export function batchedSync(runtime: Runtime, settings: BatchingSettings) {
  const write = async (typeId: string, pushes: Push[]): Promise<RecordOutcome[][]> => {
    const ctx = {
      correlationId: `batch-${randomUUID()}`,
      signal: AbortSignal.any(pushes.map((p) => p.signal)),
      correlationIds: new Map(pushes.map((p) => [p.id, p.correlationId])),
    };
    const outcomes = await runtime.sync.syncByIds(typeId as SyncedTypeId, pushes.map((p) => p.id), ctx);
    const at = runtime.clock.now().toISOString();
    await runtime.log.append(
      "event",
      outcomes.flatMap((o) => logEntries([o], { at, correlationId: correlationOf(ctx, o.sourceId), connection: runtime.connection })),
    );
    runtime.logger.info("batch written", { correlationId: ctx.correlationId, typeId, pushes: pushes.length, outcomes: outcomes.length });
    // A payment is written as its orders' timeline: its push answers with the batch's outcomes.
    return pushes.map((p) => (p.group === "payment" ? outcomes : outcomes.filter((o) => o.sourceId === p.id)));
  };
  const batcher = new PushBatcher<Push, RecordOutcome[]>(write, {
    windowMs: settings.EVENT_BATCH_WINDOW_MS,
    maxBatchSize: runtime.crm.limits.maxBatchSize,
    maxBatchesInFlight: settings.EVENT_BATCHES_IN_FLIGHT,
    maxWaiting: settings.EVENT_MAX_WAITING_PUSHES,
    maxQueueDelayMs: settings.EVENT_MAX_QUEUE_DELAY_MS,
    minIntervalMs: 1000 / runtime.crm.limits.requestsPerSecond,
  });

  let lastProbeAt = performance.now();

  return {
    submit: (push: Push) => batcher.submit(push),
    /**
     * Why a push arriving now should come back later instead (503, Pub/Sub
     * backs off): the batches or the CRM connection's pacing queue are full,
     * or the share of the CRM's API allowance meant for the event path is
     * spent (the job's delta sync writes the rest in bulk). Above that share
     * one push is still taken every EVENT_BUDGET_PROBE_SECONDS: the CRM only
     * tells its usage in answers, and this is how the path learns that a new
     * day has begun.
     */
    refusal(): string | undefined {
      const queued = batcher.refusal();
      if (queued) return queued;
      const budget = runtime.crm.budget?.();
      if (budget?.queueFull) return "the CRM connection's pacing queue is full";
      const now = performance.now();
      if (budget?.allowanceUsed === undefined || budget.allowanceUsed < settings.EVENT_CRM_BUDGET_SHARE) {
        lastProbeAt = now; // the first probe comes a whole interval after the share was crossed
        return undefined;
      }
      if (now - lastProbeAt >= settings.EVENT_BUDGET_PROBE_SECONDS * 1000) {
        lastProbeAt = now;
        return undefined;
      }
      return `${Math.round(budget.allowanceUsed * 100)}% of the CRM's API allowance is used; above ${Math.round(settings.EVENT_CRM_BUDGET_SHARE * 100)}% the job's delta sync writes changes`;
    },
  };
}
export type BatchedSync = ReturnType<typeof batchedSync>;
