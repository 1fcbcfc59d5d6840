import type { Response } from "express";

/**
 * One fixed-window bucket per API key, announced on every answer as
 * `RateLimit: limit=L, remaining=R, reset=S` (S in seconds, decimal). Off by
 * default (a limit nobody reaches); tests switch it on to see real 429s.
 */
export class RateLimiter {
  private limit = 10_000;
  private windowMs = 10_000;
  private windows = new Map<string, { startedAt: number; used: number }>();

  configure(options: { limit: number; windowSeconds: number }): void {
    this.limit = options.limit;
    this.windowMs = options.windowSeconds * 1000;
    this.windows.clear();
  }

  /** Counts one request; false when the bucket is empty. */
  take(key: string, res: Response, now = Date.now()): { allowed: boolean; resetSeconds: number; limit: number } {
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, used: 0 };
      this.windows.set(key, window);
    }
    const allowed = window.used < this.limit;
    if (allowed) window.used++;
    const resetSeconds = Math.max(0.001, (window.startedAt + this.windowMs - now) / 1000);
    setRateLimitHeader(res, this.limit, this.limit - window.used, resetSeconds);
    return { allowed, resetSeconds, limit: this.limit };
  }
}

export function setRateLimitHeader(res: Response, limit: number, remaining: number, resetSeconds: number): void {
  res.setHeader("RateLimit", `limit=${limit}, remaining=${Math.max(0, remaining)}, reset=${resetSeconds.toFixed(3)}`);
}

/**
 * Close's 429: `RateLimit` and `Retry-After` (integer seconds) headers and a
 * body whose `error.rate_reset` gives the wait in (fractional) seconds. The
 * docs deprecate the body in favour of the headers but still show it.
 */
export function sendThrottled(res: Response, resetSeconds: number, limit: number): void {
  setRateLimitHeader(res, limit, 0, resetSeconds);
  res.setHeader("Retry-After", String(Math.max(1, Math.ceil(resetSeconds))));
  res.status(429).json({
    error: {
      rate_reset: resetSeconds,
      message: "API call count exceeded for this period",
      rate_limit: limit,
      rate_limit_type: "key",
    },
  });
}
