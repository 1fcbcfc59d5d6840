import { Router } from "express";
import { errorClasses, serviceApi, type ErrorClass, type HourActivity } from "@ct-crm-sync/core/api/contract";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import type { LogBatch } from "@ct-crm-sync/core/state/sync-log";
import { serve } from "./serve";

/** Health of the connection: activity per hour over 24 h, open failures by class, the job's last run. */
export function statusRoutes(runtime: Runtime): Router {
  const router = Router();
  serve(router, serviceApi.status.get, async () => {
    const now = runtime.clock.now();
    const since = new Date(now.getTime() - 24 * 3600_000);
    const buckets = new Map<string, HourActivity>();
    for (let h = 23; h >= 0; h--) {
      const hour = new Date(now.getTime() - h * 3600_000).toISOString().slice(0, 13) + ":00:00Z";
      buckets.set(hour.slice(0, 13), { hour, written: 0, failed: 0 });
    }
    let lastSuccessAt: string | undefined;
    let lastErrorAt: string | undefined;
    let lastError: string | undefined;
    for (let afterKey: string | undefined, pages = 0; pages < 50; pages++) {
      const page = await runtime.log.list({ since: since.toISOString(), afterKey, limit: 500 });
      for (const { value } of page.items as { value: LogBatch }[]) {
        for (const entry of value.entries) {
          const bucket = buckets.get(entry.at.slice(0, 13));
          if (entry.outcome === "written") {
            if (bucket) bucket.written++;
            if (!lastSuccessAt || entry.at > lastSuccessAt) lastSuccessAt = entry.at;
          } else if (entry.outcome === "failed") {
            if (bucket) bucket.failed++;
            if (!lastErrorAt || entry.at > lastErrorAt) {
              lastErrorAt = entry.at;
              lastError = entry.detail;
            }
          }
        }
      }
      if (!page.nextKey) break;
      afterKey = page.nextKey;
    }
    const openFailuresByClass = Object.fromEntries(errorClasses.map((c) => [c, 0])) as Record<ErrorClass, number>;
    for (const state of ["open", "retrying"] as const) {
      for (let offset = 0; offset < 10_000; ) {
        const page = await runtime.failures.list({ state }, { limit: 500, offset });
        for (const failure of page.items) openFailuresByClass[failure.errorClass]++;
        if (page.items.length < 500) break;
        offset += page.items.length;
      }
    }
    const lastRun = (await runtime.jobState.lastRun())?.value;
    const checkpoint = (await runtime.jobState.checkpoint("customer"))?.value;
    return {
      connections: [
        {
          connection: runtime.connection,
          crm: runtime.connector.name,
          lastSuccessAt,
          lastErrorAt,
          lastError,
          processed: [...buckets.values()],
          openFailuresByClass,
          lastJobRun: lastRun,
          checkpointLagSeconds: checkpoint
            ? Math.max(0, Math.round((now.getTime() - Date.parse(checkpoint.lastModifiedAt)) / 1000))
            : undefined,
        },
      ],
    };
  });
  return router;
}
