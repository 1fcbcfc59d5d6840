import { describe, expect, it } from "vitest";
import { type SliceInput, sliceSize } from "./rolling-reconcile";

const minute = 60_000;
const hour = 60 * minute;
/** 100,000 people (and as many listed in the CRM for orphans), a day's period, Connect's 10-minute cron, Salesforce's 5 requests/s at a 10 % share. */
const daily: SliceInput = { work: 200_000, done: 0, elapsedMs: 0, intervalMs: 10 * minute, periodMs: 24 * hour, crmShare: 0.1, requestsPerSecond: 5 };

describe("rolling reconciliation: the slice a scheduled run takes", () => {
  it("takes the share of the pass due by the next run, so the pass ends within the period", () => {
    // 144 runs a day: 1/144 of the work each.
    expect(sliceSize(daily)).toEqual({ records: Math.ceil(200_000 / 144), cap: 30_000, finishing: false, periodAtRisk: false });
    expect(sliceSize({ ...daily, elapsedMs: 12 * hour, done: 100_000 }).records).toBe(Math.ceil(200_000 * (12 * 60 + 10) / (24 * 60)) - 100_000);
  });

  it("catches up after missed runs, within its cap", () => {
    // Half the period passed with nothing done: what is due now is half the work, more than one run may spend.
    const late = sliceSize({ ...daily, elapsedMs: 12 * hour });
    expect(late.records).toBe(30_000);
    expect(late.periodAtRisk).toBe(false);
  });

  it("takes nothing while ahead of schedule", () => {
    expect(sliceSize({ ...daily, elapsedMs: hour, done: 50_000 })).toMatchObject({ records: 0, finishing: false });
  });

  it("takes the whole rest when the period is shorter than the schedule (the sandbox), and runs the pass to its end", () => {
    // The sandbox: a 3.6 s period, the cron every 5 s, 40 records of work of which 10 done.
    expect(sliceSize({ ...daily, work: 40, done: 10, periodMs: 3_600, intervalMs: 5_000 })).toEqual({ records: 30, cap: 200, finishing: true, periodAtRisk: false });
  });

  it("says when the CRM share cannot compare the population within the period, and still moves one page a run", () => {
    const starved = sliceSize({ ...daily, crmShare: 0.000_1 });
    expect(starved).toEqual({ records: 100, cap: 100, finishing: false, periodAtRisk: true });
  });
});
