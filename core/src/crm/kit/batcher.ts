export type BatcherOptions = {
  /** Items in one write at most (the CRM's batch limit). */
  maxItems: number;
  /** A batch is written once no caller has joined it for this long… */
  quietMs: number;
  /** …or once its first caller has waited this long, whichever comes first. */
  maxWaitMs: number;
};

type Waiter<O> = { start: number; count: number; resolve(outputs: O[]): void; reject(error: unknown): void };
type Pending<I, O> = { items: I[]; waiters: Waiter<O>[]; firstAt: number; timer?: NodeJS.Timeout };

/**
 * Gathers the items of concurrent callers into one write, for CRMs that
 * count calls rather than records (a burst of single-record pushes becomes
 * a few batched calls). Each caller gets the outputs of its own items, in
 * order; when the write fails, every caller of that batch gets its error. A
 * call as large as a batch is written at once, by itself.
 */
export class Batcher<I, O> {
  private pending: Pending<I, O> | undefined;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(items: I[]): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (items.length >= this.options.maxItems) return this.write(items);
    if (this.pending && this.pending.items.length + items.length > this.options.maxItems) this.flush();
    const batch = (this.pending ??= { items: [], waiters: [], firstAt: Date.now() });
    const answer = new Promise<O[]>((resolve, reject) => batch.waiters.push({ start: batch.items.length, count: items.length, resolve, reject }));
    batch.items.push(...items);
    if (batch.items.length >= this.options.maxItems) this.flush();
    else this.schedule(batch);
    return answer;
  }

  private schedule(batch: Pending<I, O>): void {
    clearTimeout(batch.timer);
    const wait = Math.max(0, Math.min(this.options.quietMs, batch.firstAt + this.options.maxWaitMs - Date.now()));
    batch.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    const batch = this.pending;
    if (!batch) return;
    this.pending = undefined;
    clearTimeout(batch.timer);
    this.write(batch.items).then(
      (outputs) => {
        for (const w of batch.waiters) w.resolve(outputs.slice(w.start, w.start + w.count));
      },
      (error: unknown) => {
        for (const w of batch.waiters) w.reject(error);
      },
    );
  }
}
