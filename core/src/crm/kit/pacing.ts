import PQueue from "p-queue";
import { SyncError } from "../../domain/errors";

export type PacingLimits = {
  /** Sustained requests per second against one connection. */
  requestsPerSecond: number;
  /** Requests in flight at once against one connection. */
  maxConcurrency: number;
  /** Requests waiting for their turn at most (default: a minute of requests at this pace). */
  maxWaiting?: number;
};

/** The code of the refusal a full pacing queue answers. */
export const pacingQueueFull = "PACING_QUEUE_FULL";

/**
 * The one pacing layer: every HTTP request to one CRM connection passes
 * through here, at most `requestsPerSecond` a second and `maxConcurrency` at
 * once, so we stay below the CRM's published limits instead of discovering
 * them through throttling. The CRM's own signals (a 429's Retry-After, a
 * RateLimit header with nothing remaining) hold every request back until the
 * window the CRM named has passed. A waiting request leaves the queue when
 * its caller's signal fires.
 *
 * The queue is bounded: with `maxWaiting` requests waiting, one more is
 * refused at once (throttled, with the time the queue needs to drain as
 * Retry-After) instead of joining a queue it would wait in longer than anyone
 * waits for an answer; callers that can come back later (a Pub/Sub push) look
 * at `full` before they take work on.
 */
export class Pacer {
  private readonly queue: PQueue;
  private readonly maxWaiting: number;
  private readonly requestsPerSecond: number;
  private resumeAt = 0;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(limits: PacingLimits) {
    this.requestsPerSecond = Math.max(1, Math.floor(limits.requestsPerSecond));
    this.queue = new PQueue({
      concurrency: Math.max(1, limits.maxConcurrency),
      intervalCap: this.requestsPerSecond,
      interval: 1000,
    });
    this.maxWaiting = Math.max(1, limits.maxWaiting ?? Math.ceil(limits.requestsPerSecond * 60));
  }

  run<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.full) {
      const drainSeconds = Math.ceil(this.queue.size / this.requestsPerSecond);
      return Promise.reject(
        new SyncError({ errorClass: "throttled", code: pacingQueueFull, retryAfterSeconds: drainSeconds, message: `${this.queue.size} CRM requests are already waiting their turn; refused rather than queued` }),
      );
    }
    return this.queue.add(request, signal ? { signal } : {}) as Promise<T>;
  }

  /** Holds every request back for `seconds` (the CRM said its window is spent). */
  pauseFor(seconds: number): void {
    if (!(seconds > 0)) return;
    const until = Date.now() + seconds * 1000;
    if (until <= this.resumeAt) return;
    this.resumeAt = until;
    this.queue.pause();
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeAt = 0;
      this.queue.start();
    }, until - Date.now());
    // A pause must not keep a process alive that has nothing else to do.
    this.resumeTimer.unref();
  }

  /** Requests waiting for their turn (not yet sent). */
  get waiting(): number {
    return this.queue.size;
  }

  /** No room for another waiting request. */
  get full(): boolean {
    return this.queue.size >= this.maxWaiting;
  }
}
