import { describe, expect, it } from "vitest";
import { SyncError } from "../../domain/errors";
import { Allowance, AllowancePacer, allowanceSpent } from "./allowance";

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("Allowance", () => {
  it("lets a burst go at once, then spreads the rest evenly over the window", async () => {
    const clock = manualClock();
    // 3,600 calls an hour, 360 of them at once: the other 3,240 at 0.9 a second.
    const allowance = new Allowance({ calls: 3_600, windowSeconds: 3_600, maxWaitMs: 60_000 }, clock.now);
    expect(allowance.usedShare).toBe(0);
    for (let i = 0; i < 270; i++) await allowance.take();
    expect(allowance.usedShare).toBeCloseTo(0.75);
    for (let i = 0; i < 90; i++) await allowance.take();
    expect(allowance.usedShare).toBe(1);
    expect(allowance.waitMs).toBe(Math.ceil(1000 / 0.9));
    clock.advance(1_112);
    expect(allowance.waitMs).toBe(0);
  });

  it("never allows more than `calls` in any window, however the calls come", async () => {
    const clock = manualClock();
    const allowance = new Allowance({ calls: 50, windowSeconds: 60, burst: 20, maxWaitMs: 3_600_000 }, clock.now);
    const at: number[] = [];
    // Callers that come back whenever they may: the densest use the allowance permits, for five windows.
    while (at.length < 250) {
      clock.advance(allowance.waitMs);
      await allowance.take();
      at.push(clock.now());
      // A quiet spell now and then refills the burst.
      if (at.length % 70 === 0) clock.advance(120_000);
    }
    for (const start of at) expect(at.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(50);
  });

  it("refuses a call whose turn is further away than the longest wait, naming the wait, and keeps no turn for it", async () => {
    const clock = manualClock();
    const allowance = new Allowance({ calls: 10, windowSeconds: 100, burst: 1, maxWaitMs: 5_000 }, clock.now);
    await allowance.take();
    // 9 calls over 100 s: one every 11.1 s, longer than the 5 s a caller may wait.
    expect(allowance.spent).toBe(true);
    const refusal = await allowance.take().catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(SyncError);
    expect((refusal as SyncError).details).toMatchObject({ errorClass: "throttled", code: allowanceSpent, retryAfterSeconds: 12 });
    clock.advance(11_112);
    expect(allowance.spent).toBe(false);
    expect(allowance.waitMs).toBe(0);
  });

  it("waits for a near turn, and gives the turn back when the caller's signal fires meanwhile", async () => {
    const allowance = new Allowance({ calls: 20, windowSeconds: 1, burst: 1, maxWaitMs: 10_000 });
    await allowance.take();
    const started = Date.now();
    await allowance.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    const waitBefore = allowance.waitMs;
    const aborted = await allowance.take(AbortSignal.timeout(5)).catch((e: unknown) => e);
    expect((aborted as SyncError).details).toMatchObject({ errorClass: "throttled", code: allowanceSpent });
    // The abandoned turn is free again: the next caller waits no longer than it would have.
    expect(allowance.waitMs).toBeLessThanOrEqual(waitBefore);
  });
});

describe("AllowancePacer", () => {
  it("sends each request once its allowance turn has come, and refuses what the allowance refuses", async () => {
    const pacer = new AllowancePacer({ requestsPerSecond: 100, maxConcurrency: 2 }, new Allowance({ calls: 3, windowSeconds: 3_600, burst: 3, maxWaitMs: 1_000 }));
    const sent: number[] = [];
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => pacer.run(async () => (sent.push(n), n))));
    expect(results.slice(0, 3).map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    expect(results[3]).toMatchObject({ status: "rejected", reason: { errorClass: "throttled" } });
    expect(sent).toEqual([1, 2, 3]);
    expect(pacer.allowance.spent).toBe(true);
  });
});
