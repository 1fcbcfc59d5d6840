/** Something to write in a batch with others of its group; `signal` is its own deadline. */
export type Batchable = { group: string; signal?: AbortSignal };

export type PushBatcherOptions = {
  /** How long the first item of a batch waits for others to join it. */
  windowMs: number;
  /** Items in one batch at most (the CRM's batch size). */
  maxBatchSize: number;
  /** Batches being written at once; items arriving meanwhile gather into the next ones. */
  maxBatchesInFlight: number;
  /** Items waiting for a batch at most; one more is refused. */
  maxWaiting: number;
  /** Items are refused while the oldest waiting one has waited longer than this: the writes are not keeping up. */
  maxQueueDelayMs: number;
  /**
   * Batches start at least this far apart (default 0): the time the CRM
   * connection's pacing gives one call. Under load every call then carries
   * what arrived since the last one, instead of batches started side by side
   * each taking a few items and queueing for the same pace.
   */
  minIntervalMs?: number;
};

/** Refused before anything was done: the caller answers so that the work comes back later (503). */
export class Overloaded extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Overloaded";
  }
}

type Waiting<T, R> = { item: T; since: number; resolve(result: R): void; reject(error: unknown): void; leave?: () => void };

/**
 * Micro-batching with backpressure. Items submitted at about the same time
 * are gathered per group, for `windowMs` or until a batch is full, and written
 * together (`write` answers one result per item, in order); each submitter
 * gets its own item's result when its batch is written. While
 * `maxBatchesInFlight` batches are being written, new items wait and form the
 * next batches, so batches grow with the load instead of the calls.
 *
 * The queue is bounded twice: by count (`maxWaiting`) and by time (while the
 * oldest waiting item has waited `maxQueueDelayMs`, new ones are refused at
 * once as Overloaded), so work that could not be finished in time is never
 * taken on. An item whose signal fires while it waits leaves unwritten, Overloaded.
 */
export class PushBatcher<T extends Batchable, R> {
  private readonly queues = new Map<string, Waiting<T, R>[]>();
  private waitingCount = 0;
  private batchesInFlight = 0;
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (group: string, items: T[]) => Promise<R[]>,
    private readonly options: PushBatcherOptions,
  ) {}

  /** Why an item submitted now would be refused; undefined when it would be taken. */
  refusal(): string | undefined {
    if (this.waitingCount >= this.options.maxWaiting) return `${this.waitingCount} items already wait for a batch`;
    const waited = this.oldestWait();
    if (waited > this.options.maxQueueDelayMs) return `the oldest waiting item has waited ${Math.round(waited)} ms for a batch: writes are not keeping up`;
    return undefined;
  }

  /** Items waiting for a batch (not yet being written). */
  get waiting(): number {
    return this.waitingCount;
  }

  submit(item: T): Promise<R> {
    const refused = item.signal?.aborted ? "its deadline passed before it was taken" : this.refusal();
    if (refused) return Promise.reject(new Overloaded(refused));
    return new Promise<R>((resolve, reject) => {
      const entry: Waiting<T, R> = { item, since: performance.now(), resolve, reject };
      const queue = this.queues.get(item.group) ?? [];
      this.queues.set(item.group, queue);
      queue.push(entry);
      this.waitingCount++;
      if (item.signal) {
        const onAbort = () => this.leave(entry, queue);
        item.signal.addEventListener("abort", onAbort, { once: true });
        entry.leave = () => item.signal!.removeEventListener("abort", onAbort);
      }
      this.pump();
    });
  }

  private leave(entry: Waiting<T, R>, queue: Waiting<T, R>[]): void {
    const index = queue.indexOf(entry);
    if (index < 0) return; // already in a batch: the batch's own deadline applies
    queue.splice(index, 1);
    this.waitingCount--;
    entry.reject(new Overloaded("its deadline passed while it waited for a batch"));
  }

  /** Starts every batch that is ready while there is room, then waits for the next window to end. */
  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (let group = this.readyGroup(); group !== undefined && this.batchesInFlight < this.options.maxBatchesInFlight && this.intervalLeft() === 0; group = this.readyGroup()) {
      this.lastStartAt = performance.now();
      const batch = this.queues.get(group)!.splice(0, Math.max(1, this.options.maxBatchSize));
      this.waitingCount -= batch.length;
      for (const entry of batch) entry.leave?.();
      this.batchesInFlight++;
      void this.run(group, batch).finally(() => {
        this.batchesInFlight--;
        this.pump();
      });
    }
    // With every batch slot taken, the next one starts when a batch finishes.
    if (this.waitingCount === 0 || this.batchesInFlight >= this.options.maxBatchesInFlight) return;
    const due = Math.max(0, this.options.windowMs - this.oldestWait(), this.intervalLeft());
    this.timer = setTimeout(() => this.pump(), due);
    this.timer.unref();
  }

  /** Milliseconds until the next batch may start. */
  private intervalLeft(): number {
    return Math.max(0, this.lastStartAt + (this.options.minIntervalMs ?? 0) - performance.now());
  }

  /** The group whose batch is due (full, or its first item's window is over), the longest waiting first. */
  private readyGroup(): string | undefined {
    let ready: string | undefined;
    let since = Infinity;
    const now = performance.now();
    for (const [group, queue] of this.queues) {
      const first = queue[0];
      if (!first) continue;
      const due = queue.length >= this.options.maxBatchSize || now - first.since >= this.options.windowMs;
      if (due && first.since < since) [ready, since] = [group, first.since];
    }
    return ready;
  }

  private oldestWait(): number {
    let oldest = Infinity;
    for (const queue of this.queues.values()) if (queue[0] && queue[0].since < oldest) oldest = queue[0].since;
    return oldest === Infinity ? 0 : performance.now() - oldest;
  }

  private async run(group: string, batch: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.write(group, batch.map((entry) => entry.item));
      batch.forEach((entry, i) => entry.resolve(results[i]!));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
