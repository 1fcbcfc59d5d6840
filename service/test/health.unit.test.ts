import { describe, expect, it } from "vitest";
import { errorClasses, type ErrorClass } from "@ct-crm-sync/core/api/contract";
import { healthOf, staleAfterSeconds, type HealthInput } from "../src/routes/health";

const none = Object.fromEntries(errorClasses.map((c) => [c, 0])) as Record<ErrorClass, number>;
const quiet: HealthInput = { openFailuresByClass: none, throttledLastHour: 0, failedSinceSuccess: 0 };

describe("connection health", () => {
  it("is idle before any activity, healthy once writes succeed", () => {
    expect(healthOf(quiet)).toEqual({ state: "idle", reasons: [] });
    expect(healthOf({ ...quiet, lastSuccessAt: "2026-11-24T10:00:00Z" })).toEqual({ state: "healthy", reasons: [] });
  });

  it("needs attention while failures are open, though later writes succeeded", () => {
    const health = healthOf({ ...quiet, lastSuccessAt: "2026-11-24T10:00:00Z", openFailuresByClass: { ...none, validation: 1, ambiguous_match: 1 } });
    expect(health).toEqual({ state: "attention", reasons: [{ kind: "open_failures", count: 2 }] });
  });

  it("calls one refused record the latest write an open failure, not an outage", () => {
    const health = healthOf({ ...quiet, lastSuccessAt: "2026-11-24T09:00:00Z", failingSince: "2026-11-24T10:00:00Z", failedSinceSuccess: 1, openFailuresByClass: { ...none, validation: 1 } });
    expect(health).toEqual({ state: "attention", reasons: [{ kind: "open_failures", count: 1 }] });
  });

  it("is failing when several writes in a row failed and none succeeded since", () => {
    const health = healthOf({ ...quiet, lastSuccessAt: "2026-11-24T09:00:00Z", failingSince: "2026-11-24T09:30:00Z", failedSinceSuccess: 3, openFailuresByClass: { ...none, auth: 3 } });
    expect(health.state).toBe("failing");
    expect(health.reasons).toEqual([{ kind: "writes_failing", since: "2026-11-24T09:30:00Z", count: 3 }, { kind: "open_failures", count: 3 }]);
  });

  it("names throttling, a lagging job and a failed job run", () => {
    const health = healthOf({
      ...quiet,
      lastSuccessAt: "2026-11-24T10:00:00Z",
      throttledLastHour: 4,
      openFailuresByClass: { ...none, throttled: 2 },
      behindSeconds: staleAfterSeconds + 60,
      lastJobRun: { startedAt: "2026-11-24T09:50:00Z", finishedAt: "2026-11-24T09:51:00Z", outcome: "partial" },
    });
    expect(health).toEqual({
      state: "attention",
      reasons: [
        { kind: "open_failures", count: 2 },
        { kind: "throttled", lastHour: 4, waiting: 2 },
        { kind: "stale_checkpoint", behindSeconds: staleAfterSeconds + 60 },
        { kind: "job_failed", at: "2026-11-24T09:51:00Z" },
      ],
    });
  });

  it("does not call a job lag under the limit stale", () => {
    expect(healthOf({ ...quiet, lastSuccessAt: "2026-11-24T10:00:00Z", behindSeconds: staleAfterSeconds - 1 }).state).toBe("healthy");
  });
});
