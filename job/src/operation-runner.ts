import type { Operation, OperationEntity, OperationProgress, OperationRequest, OperationScope } from "@ct-crm-sync/core/api/contract";
import { operationEntities } from "@ct-crm-sync/core/api/contract";
import type { Versioned } from "@ct-crm-sync/core/ports/key-value-store";
import { predicateArgs } from "@ct-crm-sync/core/ports/predicate";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { OperationStore } from "@ct-crm-sync/core/state/operation-store";
import { scopePredicate } from "@ct-crm-sync/core/sync/job-sync";
import { type JobOptions, type JobRequest, type JobRunResult, runJob } from "./run-job";

export type OperationRunnerOptions = {
  job?: JobOptions;
  /** Progress is written at most this often (default 2 s), never per record. */
  progressIntervalMs?: number;
};

/** A running operation that has nothing new to say still writes this often, so it is not taken for lost. */
const heartbeatMs = 60_000;

function jobRequestOf(request: OperationRequest): JobRequest {
  if (request.kind === "reconcile") return { tasks: ["reconcile"], repair: request.repair };
  return { tasks: ["backfill"], ...(request.entities ? { entities: request.entities } : {}), ...(request.scope ? { scope: request.scope } : {}) };
}

/** How many records a backfill of `scope` will read: one `limit=1&withTotal=true` query per entity. */
async function countRecords(runtime: Runtime, entity: OperationEntity, scope: OperationScope | undefined): Promise<number> {
  const queryArgs = { ...predicateArgs(scopePredicate(entity, scope)), limit: 1, withTotal: true };
  const endpoint = entity === "customer" ? runtime.api.customers() : entity === "order" ? runtime.api.orders() : runtime.api.businessUnits();
  const { body } = await endpoint.get({ queryArgs }).execute();
  return body.total ?? 0;
}

/**
 * Runs operator actions (core/src/state/operation-store.ts) as job runs: the
 * one the service handed over by ID, or on a scheduled run the one still
 * queued (or lost by an instance that died). The run itself is `runJob`, under
 * the job's lease; the operation's record says who asked, how far it is (done
 * per entity, rate, time left against the total counted once at the start)
 * and how it ended.
 */
export class OperationRunner {
  readonly operations: OperationStore;

  constructor(
    private readonly runtime: Runtime,
    private readonly options: OperationRunnerOptions = {},
  ) {
    this.operations = new OperationStore(runtime.store, runtime.connection, () => runtime.clock.now());
  }

  /** The scheduled run's share: the queued operation, if any; a running one only when it was lost. */
  async runQueued(): Promise<Operation | undefined> {
    const active = await this.operations.active();
    if (!active || (active.value.state === "running" && !this.operations.isLost(active.value))) return undefined;
    return this.run(active);
  }

  /** The service's hand-off: that operation, if it still waits. */
  async runRequested(id: string): Promise<{ status: 200 | 404 | 409; operation?: Operation }> {
    const found = await this.operations.get(id);
    if (!found) return { status: 404 };
    const waiting = found.value.state === "queued" || this.operations.isLost(found.value);
    if (!waiting) return { status: 409, operation: found.value };
    const operation = await this.run(found);
    // Still queued: another run held the lease, and a later run takes it.
    return { status: operation.state === "queued" ? 409 : 200, operation };
  }

  private async run(found: Versioned<Operation>): Promise<Operation> {
    const { runtime } = this;
    const now = () => runtime.clock.now();
    const { request, id, requestedBy } = found.value;
    const logger = runtime.logger.child({ operationId: id });
    const entities = request.kind === "backfill" ? (request.entities ?? [...operationEntities]) : [];
    const started = now();
    const progress = new ProgressCount(started, entities);
    let current = await this.operations.update(found, { state: "running", startedAt: started.toISOString(), progress: progress.snapshot(started), detail: undefined });
    if (!current) return (await this.operations.get(id))!.value; // another runner took it first
    logger.info("operation started", { kind: request.kind, requestedBy: requestedBy.userId });

    // Progress goes out on a timer, one write at a time; a write that finds the record changed (another runner took a lost one over) stops them.
    let written = { done: 0, at: started.getTime() };
    let writing: Promise<void> = Promise.resolve();
    const flush = () => {
      writing = writing.then(async () => {
        const at = now();
        if (!current || (progress.done === written.done && at.getTime() - written.at < heartbeatMs)) return;
        current = await this.operations.update(current, { progress: progress.snapshot(at) });
        written = { done: progress.done, at: at.getTime() };
      });
      return writing;
    };
    const timer = setInterval(() => void flush().catch((error) => logger.warn("operation progress not saved", { errorMessage: (error as Error).message })), this.options.progressIntervalMs ?? 2_000);
    timer.unref();

    let run: JobRunResult;
    try {
      for (const entity of entities) progress.total(entity, await countRecords(runtime, entity, request.kind === "backfill" ? request.scope : undefined));
      run = await runJob(runtime, jobRequestOf(request), {
        ...this.options.job,
        onCheckpoint: async (entity, checkpoint, processed) => {
          progress.record(entity, processed);
          await this.options.job?.onCheckpoint?.(entity, checkpoint, processed);
        },
      });
    } catch (error) {
      run = { startedAt: started.toISOString(), outcome: "failed", counts: {}, detail: (error as Error).message };
    } finally {
      clearInterval(timer);
      await writing.catch(() => undefined);
    }
    if (!current) return (await this.operations.get(id))!.value;

    if (run.outcome === "skipped") {
      // Another run holds the lease: the operation waits for the next one, as it was.
      logger.info("operation waits: another job run is in progress");
      const back = await this.operations.update(current, { state: "queued", startedAt: undefined, progress: undefined, detail: "waits for the job run in progress" });
      return (back ?? current).value;
    }
    for (const entity of entities) progress.record(entity, run.counts[`backfill.${entity}.read`] ?? progress.doneOf(entity));
    const state = run.outcome === "failed" ? "failed" : "succeeded";
    const finished = await this.operations.update(current, { state, finishedAt: now().toISOString(), progress: progress.snapshot(now()), counts: run.counts, detail: run.detail });
    logger.info("operation finished", { kind: request.kind, state, requestedBy: requestedBy.userId, counts: run.counts });
    return (finished ?? current).value;
  }
}

/** Records done per entity since the operation started, with the rate and time left they imply. */
class ProgressCount {
  private readonly done_ = new Map<OperationEntity, number>();
  private readonly totals = new Map<OperationEntity, number>();

  constructor(
    private readonly startedAt: Date,
    private readonly entities: OperationEntity[],
  ) {}

  total(entity: OperationEntity, total: number) {
    this.totals.set(entity, total);
  }

  record(entity: OperationEntity, done: number) {
    this.done_.set(entity, done);
  }

  doneOf(entity: OperationEntity) {
    return this.done_.get(entity) ?? 0;
  }

  get done() {
    return this.entities.reduce((sum, entity) => sum + this.doneOf(entity), 0);
  }

  snapshot(at: Date): OperationProgress {
    const counted = this.entities.length > 0 && this.entities.every((entity) => this.totals.has(entity));
    const total = counted ? this.entities.reduce((sum, entity) => sum + this.totals.get(entity)!, 0) : undefined;
    const seconds = (at.getTime() - this.startedAt.getTime()) / 1000;
    const rate = seconds > 0 ? this.done / seconds : undefined;
    return {
      entities: this.entities.map((entity) => ({ entity, done: this.doneOf(entity), ...(this.totals.has(entity) ? { total: this.totals.get(entity)! } : {}) })),
      done: this.done,
      ...(total !== undefined ? { total } : {}),
      ...(rate !== undefined ? { ratePerSecond: Math.round(rate * 10) / 10 } : {}),
      ...(rate && total !== undefined ? { secondsLeft: Math.max(0, Math.round((total - this.done) / rate)) } : {}),
      updatedAt: at.toISOString(),
    };
  }
}
