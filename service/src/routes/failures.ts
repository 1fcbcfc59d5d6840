import { Router } from "express";
import { z } from "zod";
import { errorClasses } from "@ct-crm-sync/core/domain/errors";
import { type Failure, failureStates } from "@ct-crm-sync/core/domain/failure";
import { HttpError } from "@ct-crm-sync/core/http/base-app";
import { correlationIdFrom } from "@ct-crm-sync/core/http/correlation";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { logEntries } from "@ct-crm-sync/core/state/sync-log";
import { replayFailure } from "@ct-crm-sync/core/sync/replay";
import { requirePermission } from "../middleware/session";
import { parseOrThrow } from "./parse";

const sorts = {
  lastFailedAt: ["value.lastFailedAt desc"],
  "-lastFailedAt": ["value.lastFailedAt asc"],
  attempts: ["value.attempts desc"],
  entity: ["value.entity asc"],
  errorClass: ["value.errorClass asc"],
} as const;

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO date");

export const failureFilterSchema = z.object({
  crm: z.string().max(40).optional(),
  entity: z.enum(["person", "company", "order", "message"]).optional(),
  errorClass: z.enum(errorClasses).optional(),
  state: z.enum(failureStates).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

const listQuerySchema = failureFilterSchema.extend({
  sort: z.enum(Object.keys(sorts) as [keyof typeof sorts]).default("lastFailedAt"),
  limit: z.coerce.number().int().min(1).max(200).default(20),
  cursor: z
    .string()
    .regex(/^\d{1,5}$/, "cursor must come from a previous page")
    .optional(),
});

const bulkReplaySchema = z.union([
  z.object({ ids: z.array(z.string().min(1)).min(1).max(200) }).strict(),
  z.object({ filter: failureFilterSchema }).strict(),
]);

export function summary({ payload: _payload, history: _history, ...rest }: Failure) {
  return rest;
}

/** Failure review and replay (docs/service-api.md). */
export function failureRoutes(runtime: Runtime): Router {
  const router = Router();

  /** Replays one entry and logs the re-sync's per-record outcomes under the request's correlation ID. */
  const replay = async (failure: Failure, correlationId: string) => {
    const result = await replayFailure(runtime.sync, runtime.failures, failure, { correlationId });
    const meta = { at: runtime.clock.now().toISOString(), correlationId, connection: runtime.connection };
    await runtime.log.append("replay", logEntries(result.outcomes ?? [], meta));
    runtime.logger.info("failure replayed", { correlationId, failureId: failure.id, outcome: result.outcome });
    return result;
  };

  router.get("/", requirePermission("View"), async (req, res) => {
    const query = parseOrThrow(listQuerySchema, req.query, "query");
    const offset = Number(query.cursor ?? 0);
    const { sort, limit, cursor: _cursor, ...filter } = query;
    const page = await runtime.failures.list(filter, { sort: [...sorts[sort]], offset, limit });
    const nextOffset = offset + page.items.length;
    res.json({
      items: page.items.map(summary),
      nextCursor: page.items.length === limit && nextOffset < 10_000 ? String(nextOffset) : undefined,
    });
  });

  router.get("/:id", requirePermission("View"), async (req, res) => {
    const failure = await runtime.failures.get(String(req.params.id));
    if (!failure) throw new HttpError(404, `no failure ${req.params.id}`);
    res.json(failure);
  });

  router.post("/replay", requirePermission("Manage"), async (req, res) => {
    const body = parseOrThrow(bulkReplaySchema, req.body, "body");
    const correlationId = correlationIdFrom(req);
    const targets: Failure[] = [];
    if ("ids" in body) {
      for (const id of body.ids) {
        const failure = await runtime.failures.get(id);
        if (failure) targets.push(failure);
        else targets.push({ id } as Failure);
      }
    } else {
      const page = await runtime.failures.list(body.filter, { limit: 200 });
      targets.push(...page.items.filter((f) => f.state !== "resolved" && f.state !== "dismissed"));
    }
    const results = [];
    for (const failure of targets) {
      if (!failure.entity) {
        results.push({ id: failure.id, outcome: "not_found" });
        continue;
      }
      try {
        const result = await replay(failure, correlationId);
        results.push({ id: failure.id, outcome: result.outcome, ...(result.detail ? { detail: result.detail } : {}) });
      } catch (error) {
        // One entry that cannot be replayed right now must not hide the others' results.
        runtime.logger.warn("bulk replay of one failure errored", { correlationId, failureId: failure.id, errorName: (error as Error)?.name });
        results.push({ id: failure.id, outcome: "error", detail: "replay could not run now; try again later" });
      }
    }
    res.json({ results });
  });

  router.post("/:id/replay", requirePermission("Manage"), async (req, res) => {
    const failure = await runtime.failures.get(String(req.params.id));
    if (!failure) throw new HttpError(404, `no failure ${req.params.id}`);
    const result = await replay(failure, correlationIdFrom(req));
    if (result.outcome === "not_replayable") throw new HttpError(409, result.detail ?? "this record cannot be replayed");
    res.json({ outcome: result.outcome, failure: result.failure });
  });

  router.post("/:id/dismiss", requirePermission("Manage"), async (req, res) => {
    const failure = await runtime.failures.dismiss(String(req.params.id));
    if (!failure) throw new HttpError(404, `no failure ${req.params.id}`);
    runtime.logger.info("failure dismissed", { failureId: failure.id });
    res.json(failure);
  });

  return router;
}
