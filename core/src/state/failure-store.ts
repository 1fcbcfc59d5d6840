import { type Direction, failureKey } from "../domain/keys";
import { type SyncErrorDetails } from "../domain/errors";
import { type Failure, type FailureState, maxFailureHistory } from "../domain/failure";
import { minimisePersonalData } from "../domain/minimise";
import { ConcurrentModificationError, type KeyValueStore, type Versioned } from "../ports/key-value-store";
import { KeyedLock } from "../reliability/keyed-lock";
import { nextAttemptAt } from "../reliability/retry";
import { allOf, onValue, type Predicate, predicate } from "../ports/predicate";
import { containers } from "./containers";
import { activeStates, FailureCounter, type FailureCounts } from "./failure-counts";

export type FailureInput = {
  connection: string;
  crm: string;
  direction: Direction;
  entity: string;
  sourceId: string;
  /** The commercetools version that failed, when the failure is about one. */
  sourceVersion?: number;
  error: SyncErrorDetails;
  payload?: unknown;
  correlationId: string;
  /** Transient failures get a next attempt time; permanent ones wait for review. */
  retryable: boolean;
};

export type FailureFilter = {
  crm?: string;
  direction?: Direction;
  entity?: string;
  errorClass?: string;
  state?: FailureState;
  from?: string;
  to?: string;
  /** Only entries whose next attempt time has come (for the job). */
  dueBefore?: string;
};

function filterPredicate(filter: FailureFilter): Predicate | undefined {
  const when = (value: string | undefined, build: (v: string) => Predicate) => (value === undefined || value === "" ? undefined : build(value));
  return onValue(
    allOf(
      when(filter.crm, (v) => predicate`crm = ${v}`),
      when(filter.direction, (v) => predicate`direction = ${v}`),
      when(filter.entity, (v) => predicate`entity = ${v}`),
      when(filter.errorClass, (v) => predicate`errorClass = ${v}`),
      when(filter.state, (v) => predicate`state = ${v}`),
      when(filter.from, (v) => predicate`lastFailedAt >= ${v}`),
      when(filter.to, (v) => predicate`lastFailedAt <= ${v}`),
      when(filter.dueBefore, (v) => predicate`nextAttemptAt <= ${v}`),
    ),
  );
}

/** Counts older than this are taken again from the entries (a count lost to an outage heals within the hour). */
const countsMaxAgeMs = 3_600_000;

/** The failure store: one entry per failed record, updated on each attempt, resolved on success. */
export class FailureStore {
  private readonly entryLocks = new KeyedLock();
  private readonly counter: FailureCounter;

  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.counter = new FailureCounter(store);
  }

  async record(input: FailureInput): Promise<Failure> {
    const id = failureKey(input.connection, input.direction, input.entity, input.sourceId);
    return this.update(id, (current) => {
      const at = this.now().toISOString();
      const active = current && current.state !== "resolved" && current.state !== "dismissed";
      const attempts = (active ? current.attempts : 0) + 1;
      const versions = [input.sourceVersion, active ? current.sourceVersion : undefined].filter((v): v is number => v !== undefined);
      const attempt = {
        at,
        errorClass: input.error.errorClass,
        message: input.error.message,
        correlationId: input.correlationId,
        ...(input.error.status !== undefined ? { status: input.error.status } : {}),
      };
      return {
        id,
        connection: input.connection,
        crm: input.crm,
        direction: input.direction,
        entity: input.entity,
        sourceId: input.sourceId,
        sourceVersion: versions.length ? Math.max(...versions) : undefined,
        errorClass: input.error.errorClass,
        message: input.error.message,
        status: input.error.status,
        code: input.error.code,
        fields: input.error.fields,
        payload: input.payload === undefined ? current?.payload : minimisePersonalData(input.payload),
        attempts,
        firstFailedAt: current && attempts > 1 ? current.firstFailedAt : at,
        lastFailedAt: at,
        nextAttemptAt: input.retryable
          ? nextAttemptAt(this.now(), attempts, input.error.retryAfterSeconds).toISOString()
          : undefined,
        correlationId: input.correlationId,
        state: input.retryable ? "retrying" : "open",
        history: [attempt, ...(current?.history ?? [])].slice(0, maxFailureHistory),
      };
    });
  }

  /**
   * Marks the record's entry resolved, if it has one that is not already.
   * With `sourceVersion` (a write of that version succeeded), an entry about a
   * newer version stays: a late, reordered delivery of an old version must not
   * close the failure of the current one (the job retries it from current state).
   */
  async resolve(connection: string, direction: Direction, entity: string, sourceId: string, sourceVersion?: number): Promise<void> {
    const id = failureKey(connection, direction, entity, sourceId);
    const settled = (f: Failure | undefined) =>
      !f || f.state === "resolved" || (sourceVersion !== undefined && f.sourceVersion !== undefined && f.sourceVersion > sourceVersion);
    if (settled((await this.store.get<Failure>(containers.failures, id))?.value)) return;
    await this.update(id, (current) =>
      settled(current) ? undefined : { ...current!, state: "resolved", resolvedAt: this.now().toISOString(), nextAttemptAt: undefined },
    );
  }

  /**
   * Which of these records have an entry that is not resolved, in one query
   * per 100 records: writers resolve only those, instead of reading an entry
   * per written record.
   */
  async unresolvedOf(connection: string, direction: Direction, entity: string, sourceIds: string[]): Promise<Set<string>> {
    if (sourceIds.length === 0) return new Set();
    const entries = await this.store.getMany<Failure>(containers.failures, sourceIds.map((id) => failureKey(connection, direction, entity, id)));
    return new Set([...entries.values()].filter((e) => e.value.state !== "resolved").map((e) => e.value.sourceId));
  }

  async dismiss(id: string): Promise<Failure | undefined> {
    return this.update(id, (current) => (current ? { ...current, state: "dismissed", nextAttemptAt: undefined } : undefined));
  }

  async get(id: string): Promise<Failure | undefined> {
    return (await this.store.get<Failure>(containers.failures, id))?.value;
  }

  /**
   * Open and retrying entries of a connection per direction, state and error
   * class: the counts kept with every change of an entry (one object read),
   * taken again from the entries themselves when missing or over an hour old.
   */
  async counts(connection: string): Promise<FailureCounts["counts"]> {
    const kept = (await this.counter.read(connection))?.value;
    const recountedAt = kept?.recountedAt ? Date.parse(kept.recountedAt) : Number.NEGATIVE_INFINITY;
    if (kept && this.now().getTime() - recountedAt < countsMaxAgeMs) return kept.counts;
    const counts: FailureCounts["counts"] = {};
    for (let afterKey: string | undefined; ; ) {
      const page = await this.store.list<Failure>(containers.failures, {
        where: predicate`value(connection = ${connection} and state in ${[...activeStates]})`,
        limit: 500,
        afterKey,
      });
      for (const { value: f } of page.items) {
        const perClass = ((counts[f.direction] ??= {})[f.state as (typeof activeStates)[number]] ??= {});
        perClass[f.errorClass] = (perClass[f.errorClass] ?? 0) + 1;
      }
      if (!page.nextKey) break;
      afterKey = page.nextKey;
    }
    await this.counter.replace(connection, counts, this.now().toISOString()).catch((error: unknown) => {
      // Another instance recounted at the same moment: either count is right.
      if (!(error instanceof ConcurrentModificationError)) throw error;
    });
    return counts;
  }

  async list(filter: FailureFilter, page: { limit?: number; afterKey?: string; sort?: string[]; offset?: number } = {}) {
    const result = await this.store.list<Failure>(containers.failures, { where: filterPredicate(filter), ...page });
    return { items: result.items.map((i) => i.value), nextKey: result.nextKey };
  }

  /**
   * Read-modify-write with the object's version; re-reads on a concurrent
   * change. Writers of one entry inside this process queue up first, so a
   * burst against one entry (a flood of the same bad push) costs no conflicts
   * here; the version check settles writers in other instances.
   */
  private update<T extends Failure | undefined>(id: string, change: (current: Failure | undefined) => T): Promise<T> {
    return this.entryLocks.run(id, () => this.updateLocked(id, change));
  }

  private async updateLocked<T extends Failure | undefined>(id: string, change: (current: Failure | undefined) => T): Promise<T> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current: Versioned<Failure> | undefined = await this.store.get<Failure>(containers.failures, id);
      const next = change(current?.value);
      if (next === undefined) return next;
      try {
        await this.store.put(containers.failures, id, next, current?.version);
        // Best effort: the entry is what counts, and the hourly recount (counts()) heals a count lost here.
        await this.counter.change(current?.value, next).catch(() => undefined);
        return next;
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError)) throw error;
      }
    }
    throw new Error(`failure entry ${id} kept changing under concurrent writers`);
  }
}
