import { pushEnvelope } from "../sandbox/pubsub-relay";

/**
 * Delivers notifications to a push endpoint the way Pub/Sub can, at its worst:
 * at least once, with extra copies (some at the same time, some much later),
 * out of order within a window, with an ack deadline, redelivery with backoff
 * for anything not acknowledged, and a cap on messages outstanding (flow control).
 */
export type DriverOptions = {
  /** Where to push; read on every attempt, so the endpoint can move (an app restart). */
  url: () => string;
  /** Chance that a message gets a concurrent duplicate / a late duplicate. */
  concurrentDuplicateRate: number;
  lateDuplicateRate: number;
  /** Messages are shuffled within windows of this size before delivery. */
  reorderWindow: number;
  maxOutstanding: number;
  ackDeadlineMs: number;
  random: () => number;
};

export type DriverStats = {
  messages: number;
  deliveries: number;
  duplicatesSent: number;
  redeliveries: number;
  byStatus: Record<string, number>;
};

const acknowledged = new Set([102, 200, 201, 202, 204]);

export class PushDriver {
  readonly stats: DriverStats = { messages: 0, deliveries: 0, duplicatesSent: 0, redeliveries: 0, byStatus: {} };
  private window: unknown[] = [];
  private late: unknown[] = [];
  private outstanding = 0;
  private waiting: (() => void)[] = [];
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DriverOptions) {}

  /** Queues one notification; it is delivered when its reorder window fills (or on flush). */
  async add(notification: unknown): Promise<void> {
    this.stats.messages++;
    this.window.push(notification);
    if (this.window.length >= this.options.reorderWindow) await this.releaseWindow();
  }

  /** Delivers what is queued, then the late duplicates, and waits until every copy is acknowledged. */
  async flush(): Promise<void> {
    await this.releaseWindow();
    const late = this.shuffle(this.late.splice(0));
    for (const notification of late) await this.start(notification, true);
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async releaseWindow() {
    for (const notification of this.shuffle(this.window.splice(0))) {
      await this.start(notification, false);
      if (this.options.random() < this.options.concurrentDuplicateRate) await this.start(notification, true);
      if (this.options.random() < this.options.lateDuplicateRate) this.late.push(notification);
    }
  }

  private shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.options.random() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** Waits for a flow-control slot, then delivers one copy (redelivering until acknowledged) in the background. */
  private async start(notification: unknown, duplicate: boolean) {
    while (this.outstanding >= this.options.maxOutstanding) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.outstanding++;
    if (duplicate) this.stats.duplicatesSent++;
    const run = this.deliver(pushEnvelope(notification)).finally(() => {
      this.outstanding--;
      this.inFlight.delete(run);
      this.waiting.shift()?.();
    });
    this.inFlight.add(run);
  }

  private async deliver(envelope: ReturnType<typeof pushEnvelope>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.redeliveries++;
      this.stats.deliveries++;
      let status = "error";
      try {
        const response = await fetch(this.options.url(), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(envelope),
          signal: AbortSignal.timeout(this.options.ackDeadlineMs),
        });
        await response.arrayBuffer();
        status = String(response.status);
      } catch (error) {
        status = (error as Error).name === "TimeoutError" ? "deadline" : "connection";
      }
      this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
      if (acknowledged.has(Number(status))) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** attempt)));
    }
  }
}

/** A small seeded PRNG, so a failing run can be repeated with the same choices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}
