import PQueue from "p-queue";

export type PacingLimits = {
  /** Sustained requests per second against one connection. */
  requestsPerSecond: number;
  /** Requests in flight at once against one connection. */
  maxConcurrency: number;
};

/**
 * The one pacing layer: every HTTP request to one CRM connection passes
 * through here, at most `requestsPerSecond` a second and `maxConcurrency` at
 * once, so we stay below the CRM's published limits instead of discovering
 * them through throttling. The CRM's own signals (a 429's Retry-After, a
 * RateLimit header with nothing remaining) hold every request back until the
 * window the CRM named has passed. A waiting request leaves the queue when
 * its caller's signal fires.
 */
export class Pacer {
  private readonly queue: PQueue;
  private resumeAt = 0;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(limits: PacingLimits) {
    this.queue = new PQueue({
      concurrency: Math.max(1, limits.maxConcurrency),
      intervalCap: Math.max(1, Math.floor(limits.requestsPerSecond)),
      interval: 1000,
    });
  }

  run<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
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
}
