import { z } from "zod";

/**
 * How a CRM delivers its change notifications to subscribers, shared by the
 * simulators: asynchronously after the change, at least once (retried with
 * back-off until acknowledged or out of attempts), and, on demand, as badly
 * as a real CRM can: duplicated, delayed and out of order.
 */

export const deliveryFaultsSchema = z
  .object({
    /** Share (0..1) of deliveries sent twice. */
    duplicate: z.number().min(0).max(1).default(0),
    /** Every delivery waits this long before its first attempt. */
    delayMs: z.number().int().min(0).max(60_000).default(0),
    /** Deliveries are held for a short window and sent in reverse order. */
    reorder: z.boolean().default(false),
    /** Nothing is sent while paused (a paused subscription); deliveries wait, then go out when resumed. */
    paused: z.boolean().default(false),
  })
  .strict();
export type DeliveryFaults = z.infer<typeof deliveryFaultsSchema>;

export type OutboxOptions = {
  /** First retry after this long, doubling up to `maxBackoffMs`. */
  retryBaseMs?: number;
  maxBackoffMs?: number;
  /** Attempts before a delivery is given up (Close: 72 hours; Salesforce: 24 hours). */
  maxAttempts?: number;
  /** How long deliveries are held to be reordered. */
  reorderWindowMs?: number;
  /** Deliveries in flight at once to one subscriber; the rest wait their turn (CRMs deliver a queue, not a flood). */
  maxInFlight?: number;
};

export type OutboxStats = { queued: number; attempts: number; acknowledged: number; refused: number; duplicated: number; givenUp: number; pending: number };

type Pending<T> = { item: T; attempt: number };

/** One subscriber's queue: `send` performs one attempt and answers whether it was acknowledged. */
export class Outbox<T> {
  private faults: DeliveryFaults = deliveryFaultsSchema.parse({});
  private readonly held: Pending<T>[] = [];
  private readonly queued: Pending<T>[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  readonly stats: OutboxStats = { queued: 0, attempts: 0, acknowledged: 0, refused: 0, duplicated: 0, givenUp: 0, pending: 0 };
  private readonly options: Required<OutboxOptions>;

  constructor(
    private readonly send: (item: T, attempt: number) => Promise<boolean>,
    options: OutboxOptions = {},
  ) {
    this.options = { retryBaseMs: 100, maxBackoffMs: 2_000, maxAttempts: 12, reorderWindowMs: 40, maxInFlight: 4, ...options };
  }

  configure(faults: Partial<DeliveryFaults>): DeliveryFaults {
    const wasPaused = this.faults.paused;
    this.faults = deliveryFaultsSchema.parse({ ...this.faults, ...faults });
    if (wasPaused && !this.faults.paused) this.release();
    return this.faults;
  }

  get currentFaults(): DeliveryFaults {
    return this.faults;
  }

  enqueue(item: T): void {
    if (this.closed) return;
    this.stats.queued++;
    this.schedule({ item, attempt: 1 }, this.faults.delayMs);
    if (Math.random() < this.faults.duplicate) {
      this.stats.duplicated++;
      this.stats.queued++;
      this.schedule({ item, attempt: 1 }, this.faults.delayMs + 5);
    }
  }

  /** Resolves once nothing is queued, held or in flight. */
  drained(): Promise<void> {
    if (this.stats.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.held.length = 0;
    this.queued.length = 0;
    this.stats.pending = 0;
    this.settle();
  }

  private schedule(pending: Pending<T>, delayMs: number): void {
    this.stats.pending++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.stats.pending--;
      this.hold(pending);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Paused or reordering: kept back; otherwise sent now. */
  private hold(pending: Pending<T>): void {
    if (this.closed) return;
    this.stats.pending++;
    if (this.faults.paused || this.faults.reorder) {
      const first = this.held.length === 0;
      this.held.push(pending);
      if (first && !this.faults.paused) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.release();
        }, this.options.reorderWindowMs);
        this.timers.add(timer);
      }
      return;
    }
    this.start(pending);
  }

  private release(): void {
    const batch = this.held.splice(0, this.held.length);
    for (const pending of batch.reverse()) this.start(pending);
  }

  private start(pending: Pending<T>): void {
    if (this.inFlight >= this.options.maxInFlight) this.queued.push(pending);
    else void this.attempt(pending);
  }

  private async attempt(pending: Pending<T>): Promise<void> {
    this.inFlight++;
    this.stats.attempts++;
    let acknowledged = false;
    try {
      acknowledged = await this.send(pending.item, pending.attempt);
    } catch {
      acknowledged = false;
    }
    this.inFlight--;
    this.stats.pending--;
    const next = this.queued.shift();
    if (next && !this.closed) void this.attempt(next);
    if (acknowledged) this.stats.acknowledged++;
    else {
      this.stats.refused++;
      if (pending.attempt >= this.options.maxAttempts) this.stats.givenUp++;
      else if (!this.closed) {
        const backoff = Math.min(this.options.maxBackoffMs, this.options.retryBaseMs * 2 ** (pending.attempt - 1));
        this.schedule({ item: pending.item, attempt: pending.attempt + 1 }, backoff);
      }
    }
    this.settle();
  }

  private settle(): void {
    if (this.stats.pending > 0 || this.inFlight > 0) return;
    const waiters = this.waiters.splice(0, this.waiters.length);
    for (const resolve of waiters) resolve();
  }
}
