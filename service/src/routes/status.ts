import { Router } from "express";
import { errorClasses, serviceApi, type ConnectionStatus, type ErrorClass, type HourActivity } from "@ct-crm-sync/core/api/contract";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import type { LogBatch, LogEntry } from "@ct-crm-sync/core/state/sync-log";
import { syncEntities } from "@ct-crm-sync/core/sync/job-sync";
import { healthOf, staleAfterSeconds } from "./health";
import { serve } from "./serve";

const hourMs = 3600_000;

/** The last 24 hours of the sync log: written and failed per hour (CRM changes among them counted too), the latest success and failure, and what the failures say. */
async function activity(runtime: Runtime, now: Date) {
  const since = new Date(now.getTime() - 24 * hourMs);
  const hourAgo = new Date(now.getTime() - hourMs).toISOString();
  const buckets = new Map<string, HourActivity>();
  for (let h = 23; h >= 0; h--) {
    const hour = new Date(now.getTime() - h * hourMs).toISOString().slice(0, 13) + ":00:00Z";
    buckets.set(hour.slice(0, 13), { hour, written: 0, failed: 0, inboundWritten: 0, inboundFailed: 0 });
  }
  let lastSuccessAt: string | undefined;
  let lastFailed: LogEntry | undefined;
  const failedAt: string[] = [];
  let throttledLastHour = 0;
  for (let afterKey: string | undefined, pages = 0; pages < 50; pages++) {
    const page = await runtime.log.list({ since: since.toISOString(), afterKey, limit: 500 });
    for (const { value } of page.items as { value: LogBatch }[]) {
      for (const entry of value.entries) {
        const bucket = buckets.get(entry.at.slice(0, 13));
        const inbound = entry.direction === "crm-to-ct";
        if (entry.outcome === "written") {
          if (bucket) bucket.written++;
          if (bucket && inbound) bucket.inboundWritten = (bucket.inboundWritten ?? 0) + 1;
          if (!lastSuccessAt || entry.at > lastSuccessAt) lastSuccessAt = entry.at;
        } else if (entry.outcome === "failed") {
          if (bucket) bucket.failed++;
          if (bucket && inbound) bucket.inboundFailed = (bucket.inboundFailed ?? 0) + 1;
          failedAt.push(entry.at);
          if (!lastFailed || entry.at > lastFailed.at) lastFailed = entry;
          if (entry.at >= hourAgo && entry.detail?.startsWith("throttled:")) throttledLastHour++;
        }
      }
    }
    if (!page.nextKey) break;
    afterKey = page.nextKey;
  }
  const sinceSuccess = failedAt.filter((at) => !lastSuccessAt || at > lastSuccessAt).sort();
  return { processed: [...buckets.values()], lastSuccessAt, lastFailed, failingSince: sinceSuccess[0], failedSinceSuccess: sinceSuccess.length, throttledLastHour };
}

/**
 * What the latest failure said. Log entries of records that failed because
 * another did (an order waiting for its person) carry no detail of their own:
 * their failure entry has it.
 */
async function lastErrorOf(runtime: Runtime, entry: LogEntry | undefined): Promise<string | undefined> {
  if (!entry) return undefined;
  if (entry.detail) return entry.detail;
  const failure = await runtime.failures.get(failureKey(runtime.connection, entry.direction ?? "ct-to-crm", entry.entity, entry.sourceId));
  return failure ? `${failure.errorClass}: ${failure.message}` : undefined;
}

/** Open and retrying failures by class, both directions: the failure store's maintained counts (one object), not every entry. */
async function openFailures(runtime: Runtime): Promise<Record<ErrorClass, number>> {
  const byClass = Object.fromEntries(errorClasses.map((c) => [c, 0])) as Record<ErrorClass, number>;
  for (const states of Object.values(await runtime.failures.counts(runtime.connection))) {
    for (const perClass of Object.values(states ?? {})) {
      for (const [errorClass, n] of Object.entries(perClass ?? {}) as [ErrorClass, number][]) byClass[errorClass] += n;
    }
  }
  return byClass;
}

/**
 * How far the job's delta sync lags: the age of the oldest commercetools
 * change past its checkpoint that is older than the stale limit (a quiet
 * project, whose checkpoint does not move, lags nothing). Undefined before the
 * job has a delta checkpoint.
 */
async function deltaLag(runtime: Runtime, now: Date): Promise<number | undefined> {
  let behind: number | undefined;
  for (const entity of syncEntities) {
    const checkpoint = (await runtime.jobState.checkpoint(entity))?.value;
    if (!checkpoint) continue;
    const until = new Date(now.getTime() - staleAfterSeconds * 1000).toISOString();
    const [missed] = await runtime.commerce.page(entity, { after: { lastModifiedAt: checkpoint.lastModifiedAt, id: checkpoint.lastId }, until, limit: 1 });
    const lag = missed ? Math.round((now.getTime() - Date.parse(missed.lastModifiedAt)) / 1000) : 0;
    behind = Math.max(behind ?? 0, lag);
  }
  return behind;
}

/** Health of the connection: activity per hour over 24 h, open failures by class, the job's last run and lag, and the health they add up to. */
export function statusRoutes(runtime: Runtime): Router {
  const router = Router();
  serve(router, serviceApi.status.get, async () => {
    const now = runtime.clock.now();
    const log = await activity(runtime, now);
    const openFailuresByClass = await openFailures(runtime);
    const lastJobRun = (await runtime.jobState.lastRun())?.value;
    const checkpoint = (await runtime.jobState.checkpoint("customer"))?.value;
    const status: Omit<ConnectionStatus, "health"> = {
      connection: runtime.connection,
      crm: runtime.connector.name,
      lastSuccessAt: log.lastSuccessAt,
      lastErrorAt: log.lastFailed?.at,
      lastError: await lastErrorOf(runtime, log.lastFailed),
      processed: log.processed,
      openFailuresByClass,
      lastJobRun,
      checkpointLagSeconds: checkpoint ? Math.max(0, Math.round((now.getTime() - Date.parse(checkpoint.lastModifiedAt)) / 1000)) : undefined,
    };
    const health = healthOf({
      ...status,
      failingSince: log.failingSince,
      failedSinceSuccess: log.failedSinceSuccess,
      throttledLastHour: log.throttledLastHour,
      behindSeconds: await deltaLag(runtime, now),
    });
    return { connections: [{ ...status, health }] };
  });
  return router;
}
