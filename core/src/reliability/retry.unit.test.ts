import { describe, expect, it } from "vitest";
import { SyncError } from "../domain/errors";
import type { Clock } from "../ports/clock";
import { backoffDelay, nextAttemptAt, withRetry, type RetryPolicy } from "./retry";
import { classifyStatus, parseRetryAfter } from "./http-errors";

function fakeClock(start = 0): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(now),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 5000 };
const transient = () => new SyncError({ errorClass: "crm_unavailable", message: "503", status: 503 });

describe("retry policy", () => {
  it("retries transient errors and returns the first success", async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw transient();
        return "ok";
      },
      policy,
      clock,
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(clock.slept).toHaveLength(2);
  });

  it("does not retry permanent errors", async () => {
    const clock = fakeClock();
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new SyncError({ errorClass: "validation", message: "Required fields are missing: [LastName]" });
      },
      policy,
      clock,
    );
    await expect(failing).rejects.toMatchObject({ errorClass: "validation" });
    expect(calls).toBe(1);
  });

  it("waits at least what the remote asked for", async () => {
    const clock = fakeClock();
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls === 1) throw new SyncError({ errorClass: "throttled", message: "429", retryAfterSeconds: 2 });
        return true;
      },
      policy,
      clock,
    );
    expect(clock.slept[0]).toBeGreaterThanOrEqual(2000);
  });

  it("gives up when the next wait would exceed the time budget", async () => {
    const clock = fakeClock();
    const failing = withRetry(
      async () => {
        throw new SyncError({ errorClass: "throttled", message: "429", retryAfterSeconds: 60 });
      },
      policy,
      clock,
    );
    await expect(failing).rejects.toMatchObject({ errorClass: "throttled" });
    expect(clock.slept).toHaveLength(0);
  });

  it("stops after the maximum number of attempts", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient();
        },
        policy,
        fakeClock(),
      ),
    ).rejects.toBeInstanceOf(SyncError);
    expect(calls).toBe(policy.maxAttempts);
  });

  it("grows backoff exponentially with jitter, capped", () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, () => 1)).toBe(100);
    expect(backoffDelay(policy, 3, () => 1)).toBe(400);
    expect(backoffDelay(policy, 10, () => 1)).toBe(1000);
  });

  it("schedules stored failures further out each attempt, never before Retry-After", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(nextAttemptAt(now, 1).getTime() - now.getTime()).toBe(60_000);
    expect(nextAttemptAt(now, 3).getTime() - now.getTime()).toBe(240_000);
    expect(nextAttemptAt(now, 30).getTime() - now.getTime()).toBe(6 * 3600_000);
    expect(nextAttemptAt(now, 1, 600).getTime() - now.getTime()).toBe(600_000);
  });

  it("classifies statuses and parses Retry-After in both forms", () => {
    expect(classifyStatus(429)).toBe("throttled");
    expect(classifyStatus(503)).toBe("crm_unavailable");
    expect(classifyStatus(400)).toBe("validation");
    expect(classifyStatus(401)).toBe("auth");
    expect(classifyStatus(404)).toBe("not_found");
    expect(parseRetryAfter("3")).toBe(3);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8);
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});
