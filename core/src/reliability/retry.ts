import { isTransient, SyncError, toSyncError } from "../domain/errors";
import type { Clock } from "../ports/clock";

/**
 * The one retry policy. Transient errors (network, timeouts, 5xx, throttling)
 * are retried with exponential backoff and full jitter, waiting at least what
 * the remote asked for (Retry-After, rate_reset); permanent errors are thrown at once.
 * `budgetMs` bounds the total time, so the event app stays inside the Pub/Sub ack deadline.
 */
export type RetryPolicy = {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  budgetMs: number;
};

/** Inside a Pub/Sub push request (10 s ack deadline, minus time for the failure store). */
export const inlineRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 2_500, budgetMs: 6_000 };

/** Inside a job run (30 min limit). */
export const jobRetryPolicy: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000, budgetMs: 300_000 };

export type RetryObserver = (info: { attempt: number; delayMs: number; error: SyncError }) => void;

export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

/**
 * `signal` is the caller's deadline (the event app's share of the ack deadline):
 * once it has fired, the error at hand is final, so the record reaches the
 * failure store while the push request can still be acknowledged.
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  clock: Clock,
  onRetry?: RetryObserver,
  signal?: AbortSignal,
): Promise<T> {
  const started = clock.now().getTime();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (raw) {
      const error = toSyncError(raw);
      if (!isTransient(error.errorClass) || attempt >= policy.maxAttempts || signal?.aborted) throw error;
      const askedMs = (error.details.retryAfterSeconds ?? 0) * 1000;
      const delayMs = Math.max(askedMs, backoffDelay(policy, attempt));
      const elapsed = clock.now().getTime() - started;
      if (elapsed + delayMs > policy.budgetMs) throw error;
      onRetry?.({ attempt, delayMs, error });
      try {
        await clock.sleep(delayMs, signal);
      } catch {
        throw error;
      }
    }
  }
}

/**
 * When the job should try a stored failure again: 1 min, 2, 4, ... capped at 6 h,
 * never sooner than the remote asked.
 */
export function nextAttemptAt(now: Date, attempts: number, retryAfterSeconds?: number): Date {
  const backoffMs = Math.min(6 * 3600_000, 60_000 * 2 ** Math.max(0, attempts - 1));
  const waitMs = Math.max(backoffMs, (retryAfterSeconds ?? 0) * 1000);
  return new Date(now.getTime() + waitMs);
}
