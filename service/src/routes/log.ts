import { Router } from "express";
import { z } from "zod";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import type { LogBatch } from "@ct-crm-sync/core/state/sync-log";
import { requirePermission } from "../middleware/session";
import { parseOrThrow } from "./parse";

const logQuerySchema = z.object({
  outcome: z.enum(["written", "failed"]).optional(),
  entity: z.enum(["person", "company", "order"]).optional(),
  correlationId: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

/** Per-record outcomes of event, job and replay runs, oldest first, filtered. */
export function logRoutes(runtime: Runtime): Router {
  const router = Router();
  router.get("/", requirePermission("View"), async (req, res) => {
    const query = parseOrThrow(logQuerySchema, req.query, "query");
    const page = await runtime.log.list({ afterKey: query.cursor, limit: query.limit });
    const items = (page.items as { key: string; value: LogBatch }[]).flatMap(({ key, value }) =>
      value.entries
        .filter((e) => !query.outcome || e.outcome === query.outcome)
        .filter((e) => !query.entity || e.entity === query.entity)
        .filter((e) => !query.correlationId || e.correlationId === query.correlationId)
        .map((e, i) => ({ id: `${key}.${i}`, source: value.source, ...e })),
    );
    res.json({ items, nextCursor: page.nextKey });
  });
  return router;
}
