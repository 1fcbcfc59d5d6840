import type { ConnectionStatus, Health, HealthReason } from "@ct-crm-sync/core/api/contract";

/** A delta sync this far behind commercetools changes has missed at least two of the job's ten-minute runs. */
export const staleAfterSeconds = 30 * 60;

/** Failed writes in a row that make an outage rather than records the CRM refused. */
export const failingAfterWrites = 3;

export type HealthInput = Pick<ConnectionStatus, "lastSuccessAt" | "openFailuresByClass" | "lastJobRun"> & {
  /** The failed writes after the last successful one: the first one's time, and how many. */
  failingSince?: string;
  failedSinceSuccess: number;
  /** Writes the CRM throttled in the last hour. */
  throttledLastHour: number;
  /** How far the job's delta sync is behind the oldest commercetools change it has not passed. */
  behindSeconds?: number;
};

/**
 * The connection's health and every reason for it: failing when several
 * writes in a row failed and none succeeded since; attention when failures wait, the
 * CRM throttles, the job lags or its last run failed; idle before any activity.
 */
export function healthOf(input: HealthInput): Health {
  const reasons: HealthReason[] = [];
  const failingNow = input.failingSince !== undefined && input.failedSinceSuccess >= failingAfterWrites;
  if (failingNow) reasons.push({ kind: "writes_failing", since: input.failingSince!, count: input.failedSinceSuccess });
  const open = Object.values(input.openFailuresByClass).reduce((sum, count) => sum + count, 0);
  if (open > 0) reasons.push({ kind: "open_failures", count: open });
  const waiting = input.openFailuresByClass.throttled ?? 0;
  if (input.throttledLastHour > 0 || waiting > 0) reasons.push({ kind: "throttled", lastHour: input.throttledLastHour, waiting });
  if (input.behindSeconds !== undefined && input.behindSeconds >= staleAfterSeconds) reasons.push({ kind: "stale_checkpoint", behindSeconds: input.behindSeconds });
  const run = input.lastJobRun;
  if (run && (run.outcome === "failed" || run.outcome === "partial")) reasons.push({ kind: "job_failed", at: run.finishedAt ?? run.startedAt });

  if (failingNow) return { state: "failing", reasons };
  if (reasons.length > 0) return { state: "attention", reasons };
  if (input.lastSuccessAt === undefined) return { state: "idle", reasons };
  return { state: "healthy", reasons };
}
