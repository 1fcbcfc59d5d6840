import { SyncError } from "../../domain/errors";
import { systemClock } from "../../ports/clock";
import { Pacer, type PacingLimits } from "./pacing";

export type AllowanceLimits = {
  /** Calls we allow ourselves in any window of `windowSeconds` (the CRM's budget minus what others need). */
  calls: number;
  windowSeconds: number;
  /** Calls that may go at once after a quiet spell (default: a tenth of `calls`); the rest are spread evenly. */
  burst?: number;
  /** A call that would wait longer than this for its turn is refused at once instead (throttled, with the wait as Retry-After). */
  maxWaitMs: number;
};

/** The code of the refusal when the allowance is spent for longer than a caller may wait. */
export const allowanceSpent = "ALLOWANCE_SPENT";

/**
 * A budget of calls per window (a CRM plan's calls an hour or a day), spent
 * evenly: a token bucket holding `burst` calls, refilled at
 * `(calls − burst) / windowSeconds`, so any window of that length sees at
 * most `calls` calls, however they were spread, and a long backfill moves at
 * the refill pace instead of spending the window in its first minutes and
 * meeting the CRM's 429 for the rest of it. Calls reserve their turn in
 * arrival order.
 */
export class Allowance {
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly maxWaitMs: number;
  private tokens: number;
  private at: number;

  constructor(
    limits: AllowanceLimits,
    private readonly now: () => number = Date.now,
  ) {
    const calls = Math.max(1, Math.floor(limits.calls));
    this.capacity = Math.min(calls, Math.max(1, Math.floor(limits.burst ?? calls / 10)));
    // A budget no bigger than its burst still refills, slowly, rather than never.
    this.perMs = Math.max(calls - this.capacity, 1) / (limits.windowSeconds * 1000);
    this.maxWaitMs = limits.maxWaitMs;
    this.tokens = this.capacity;
    this.at = now();
  }

  /** Milliseconds the next call would wait for its turn (0: it may go now). */
  get waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }

  /** Share (0..1) of the calls that may go at once already spent: 1 means every call now waits its spread-out turn. */
  get usedShare(): number {
    this.refill();
    return Math.min(1, Math.max(0, 1 - this.tokens / this.capacity));
  }

  /** True when the next call would be refused rather than wait. */
  get spent(): boolean {
    return this.waitMs > this.maxWaitMs;
  }

  /**
   * Waits for this call's turn and takes it. Refused at once (throttled)
   * when the turn is further away than `maxWaitMs`; when the caller's signal
   * fires while waiting, the turn is given back and the call is refused the same way.
   */
  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.waitMs;
    if (wait > this.maxWaitMs) throw this.refusal(wait);
    this.tokens -= 1;
    if (wait === 0) return;
    try {
      await systemClock.sleep(wait, signal);
    } catch {
      this.tokens += 1;
      throw this.refusal(wait);
    }
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.perMs);
    this.at = now;
  }

  private refusal(waitMs: number): SyncError {
    return new SyncError({
      errorClass: "throttled",
      code: allowanceSpent,
      retryAfterSeconds: Math.ceil(waitMs / 1000),
      message: `the CRM call allowance is spent for the next ${Math.ceil(waitMs / 1000)} s; refused rather than queued`,
    });
  }
}

/** The connection's Pacer (per second, in flight) with an allowance per window on top: each request takes its turn from both. */
export class AllowancePacer extends Pacer {
  constructor(
    limits: PacingLimits,
    readonly allowance: Allowance,
  ) {
    super(limits);
  }

  override run<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return super.run(async () => {
      await this.allowance.take(signal);
      return request();
    }, signal);
  }
}
