import { randomUUID } from "node:crypto";
import { z } from "zod";
import { loadConfig } from "@ct-crm-sync/core/config/env";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import type { Checkpoint } from "@ct-crm-sync/core/state/job-state";
import { Lease } from "@ct-crm-sync/core/state/lease";
import { runJobSync, type SyncEntity } from "@ct-crm-sync/core/sync/job-sync";
import { inboundOf } from "@ct-crm-sync/core/sync/inbound/index";
import { pollChanges } from "@ct-crm-sync/core/sync/inbound/poll";
import { reconcileEnv, reconcileSlice, type ReconcileSettings } from "@ct-crm-sync/core/sync/rolling-reconcile";
import { abandonIdleCarts } from "./abandon-carts";
import { retryDueFailures } from "./retry-due-failures";

export const logRetentionDays = 30;

const entity = z.enum(["business-unit", "customer", "order"]);

/** What a run does; Connect's cron posts nothing and gets the default. */
export const jobRequestSchema = z
  .object({
    /**
     * `poll`: the CRM's changes since the last run, the safety net for missed webhooks (CRMs that can list them).
     * `rolling-reconcile`: this run's slice of the rolling reconciliation (every record compared once per period);
     * `reconcile`: a whole reconciliation at once.
     * `abandon-carts`: deals of carts idle past CART_ABANDONED_AFTER_HOURS flagged abandoned (abandon-carts.ts).
     */
    tasks: z
      .array(z.enum(["retries", "delta", "poll", "rolling-reconcile", "abandon-carts", "backfill", "reconcile", "prune"]))
      .min(1)
      .default(["retries", "delta", "poll", "rolling-reconcile", "abandon-carts", "prune"]),
    entities: z.array(entity).min(1).optional(),
    /** Re-sync on demand of part of the data (backfill). */
    scope: z.object({ store: z.string().min(1).optional(), idFrom: z.string().min(1).optional(), idTo: z.string().min(1).optional() }).strict().optional(),
    /** Reconciliation repairs drift unless told to only report it. */
    repair: z.boolean().default(true),
    pageSize: z.number().int().min(1).max(500).optional(),
    bulkChunkSize: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
export type JobRequest = z.input<typeof jobRequestSchema>;

export type JobOptions = {
  leaseTtlMs?: number;
  /** Stops the run between (and inside) pages; the checkpoint keeps what was done. */
  signal?: AbortSignal;
  onCheckpoint?: (entity: SyncEntity, checkpoint: Checkpoint, processed: number) => void | Promise<void>;
  /** Reconciliation settings (`reconcileEnv`); read from the process environment when absent. */
  reconcile?: ReconcileSettings;
};

export type JobRunResult = {
  startedAt: string;
  finishedAt?: string;
  outcome: "succeeded" | "failed" | "skipped";
  counts: Record<string, number>;
  detail?: string;
};

/**
 * One run: due retries, delta sync (a full backfill the first time), and on
 * demand backfill or reconciliation, then log pruning. Under a lease: a second
 * run while one works answers "skipped" instead of doing the same work twice.
 */
export async function runJob(runtime: Runtime, input: JobRequest = {}, options: JobOptions = {}): Promise<JobRunResult> {
  const request = jobRequestSchema.parse(input);
  const correlationId = `job-${randomUUID()}`;
  const logger = runtime.logger.child({ correlationId });
  const now = () => runtime.clock.now();
  const state = runtime.jobState;
  const startedAt = now().toISOString();
  const lease = Lease.forConnection(runtime.store, runtime.connection, "job", options.leaseTtlMs ?? 15 * 60_000, now);
  if (!(await lease.acquire())) {
    logger.info("job run skipped: another run holds the lease");
    return { startedAt, finishedAt: now().toISOString(), outcome: "skipped", counts: {}, detail: "another run is in progress" };
  }
  const counts: Record<string, number> = {};
  let outcome: "succeeded" | "failed" = "succeeded";
  let detail: string | undefined;
  const ctx = { correlationId, ...(options.signal ? { signal: options.signal } : {}) };
  const reader = runtime.commerce;
  const syncDeps = { sync: runtime.sync, reader, store: runtime.store, state, lease, log: runtime.log };
  // Connect sets the job app's configuration as its environment.
  const reconcileSettings = options.reconcile ?? loadConfig(reconcileEnv);
  try {
    const started = await state.saveRun({ startedAt, outcome: "running" });
    try {
      for (const task of request.tasks) {
        options.signal?.throwIfAborted();
        if (task === "retries") {
          const retries = await retryDueFailures(runtime, correlationId);
          counts.retried = retries.due;
          counts.retriedResolved = retries.resolved;
          counts.retryErrors = retries.errors;
        } else if (task === "delta" || task === "backfill") {
          const result = await runJobSync(
            syncDeps,
            { mode: task, entities: request.entities, scope: request.scope, pageSize: request.pageSize, bulkChunkSize: request.bulkChunkSize, onCheckpoint: options.onCheckpoint },
            ctx,
          );
          for (const [name, c] of Object.entries(result)) for (const [k, v] of Object.entries(c)) counts[`${task}.${name}.${k}`] = v;
        } else if (task === "poll") {
          const inbound = inboundOf(runtime);
          const polled = await pollChanges({ connection: runtime.connection, inbound: runtime.inbound, sync: inbound.sync, store: runtime.store, log: runtime.log, now }, ctx);
          for (const [k, v] of Object.entries(polled)) counts[`poll.${k}`] = v;
        } else if (task === "reconcile" || task === "rolling-reconcile") {
          const reconcile = runtime.crm.reconcile;
          if (!reconcile) throw new Error(`${runtime.crm.name} cannot be reconciled (its adapter reads nothing back)`);
          // On demand: a whole pass now (repairing unless told not to); on schedule: this run's slice of the rolling pass.
          const mode = task === "reconcile" ? { whole: true, repair: request.repair } : undefined;
          const slice = await reconcileSlice({ sync: runtime.sync, reader, reconcile, store: runtime.reconciliations, logger }, reconcileSettings, ctx, mode);
          if (task === "rolling-reconcile") for (const [k, v] of Object.entries(slice)) counts[`rollingReconcile.${k}`] = Number(v);
          else {
            // A whole pass: its report's counts, in total and per kind of record.
            const report = await runtime.reconciliations.latest();
            for (const [k, v] of Object.entries(report?.counts ?? {})) counts[`reconcile.${k}`] = v;
            for (const [entity, c] of Object.entries(report?.byEntity ?? {})) for (const [k, v] of Object.entries(c)) counts[`reconcile.${entity}.${k}`] = v;
          }
        } else if (task === "abandon-carts") {
          for (const [k, v] of Object.entries(await abandonIdleCarts(runtime, ctx))) counts[`abandonCarts.${k}`] = v;
        } else {
          const cutoff = new Date(now().getTime() - logRetentionDays * 86_400_000);
          counts.logPruned = await runtime.log.prune(cutoff);
        }
      }
    } catch (error) {
      if (options.signal?.aborted) throw error;
      outcome = "failed";
      detail = (error as Error).message;
      logger.error("job run failed", { errorMessage: detail });
    }
    const run = { startedAt, finishedAt: now().toISOString(), outcome, counts, detail };
    await state.saveRun(run, started.version);
    logger.info("job run finished", { outcome, counts });
    return run;
  } finally {
    await lease.release().catch(() => undefined);
  }
}
