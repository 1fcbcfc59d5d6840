import { Router } from "express";
import { serviceApi } from "@ct-crm-sync/core/api/contract";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import type { LogBatch } from "@ct-crm-sync/core/state/sync-log";
import { serve } from "./serve";

/** Per-record outcomes of event, webhook, job and replay runs, both directions, oldest first, filtered. */
export function logRoutes(runtime: Runtime): Router {
  const router = Router();
  serve(router, serviceApi.log.list, async ({ query }) => {
    const page = await runtime.log.list({ afterKey: query.cursor, limit: query.limit, ...(query.since ? { since: new Date(query.since).toISOString() } : {}) });
    // Numbered before filtering, so an entry keeps its ID whatever the filter.
    const items = (page.items as { key: string; value: LogBatch }[]).flatMap(({ key, value }) =>
      value.entries
        .map((e, i) => ({ id: `${key}.${i}`, source: value.source, ...e, direction: e.direction ?? ("ct-to-crm" as const) }))
        .filter((e) => !query.outcome || e.outcome === query.outcome)
        .filter((e) => !query.direction || e.direction === query.direction)
        .filter((e) => !query.entity || e.entity === query.entity)
        .filter((e) => !query.correlationId || e.correlationId === query.correlationId),
    );
    return { items, nextCursor: page.nextKey };
  });
  return router;
}
