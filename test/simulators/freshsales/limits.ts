import type { Response } from "express";
import { sendError } from "./errors";

export type BudgetSpec = {
  /** Calls an hour for the account (Freshsales plans: 1,000, 2,000 or 5,000). */
  perHour: number;
  /** Calls a minute for the account (400). */
  perMinute: number;
  /** Whether a 429 names its wait in Retry-After (the docs do not say; both are simulated). */
  retryAfter: boolean;
};

export const defaultBudget: BudgetSpec = { perHour: 5_000, perMinute: 400, retryAfter: true };

type Window = { startedAt: number; used: number };

/**
 * The account's two budgets, each a fixed window that starts with its first
 * call: over either, the call is refused with 429 and counts nothing.
 */
export class AccountBudget {
  private spec: BudgetSpec = { ...defaultBudget };
  private hour: Window = { startedAt: 0, used: 0 };
  private minute: Window = { startedAt: 0, used: 0 };
  /** Calls refused, for tests that must see none. */
  refused = 0;

  configure(spec: Partial<BudgetSpec>): void {
    this.spec = { ...this.spec, ...spec };
    this.hour = { startedAt: 0, used: 0 };
    this.minute = { startedAt: 0, used: 0 };
  }

  get settings(): BudgetSpec {
    return { ...this.spec };
  }

  /** Counts one call; the seconds until the spent window resets when there is no room. */
  take(now = Date.now()): { allowed: true } | { allowed: false; resetSeconds: number; which: "hour" | "minute" } {
    const roll = (w: Window, ms: number) => (now - w.startedAt >= ms ? { startedAt: now, used: 0 } : w);
    this.hour = roll(this.hour, 3_600_000);
    this.minute = roll(this.minute, 60_000);
    const spent = this.hour.used >= this.spec.perHour ? "hour" : this.minute.used >= this.spec.perMinute ? "minute" : undefined;
    if (spent) {
      this.refused++;
      const window = spent === "hour" ? this.hour : this.minute;
      const reset = window.startedAt + (spent === "hour" ? 3_600_000 : 60_000) - now;
      return { allowed: false, resetSeconds: Math.max(1, Math.ceil(reset / 1000)), which: spent };
    }
    this.hour.used++;
    this.minute.used++;
    return { allowed: true };
  }
}

/** Freshsales' 429: the documented error shape, and Retry-After when the simulator is set to send it. */
export function sendThrottled(res: Response, resetSeconds: number, withRetryAfter: boolean, which: "hour" | "minute"): void {
  if (withRetryAfter) res.setHeader("Retry-After", String(Math.max(1, Math.ceil(resetSeconds))));
  sendError(res, 429, [`You have exceeded the limit of requests per ${which}`]);
}
