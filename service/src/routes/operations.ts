import { Router } from "express";
import { operationRequestSchema, serviceApi } from "@ct-crm-sync/core/api/contract";
import { HttpError } from "@ct-crm-sync/core/http/base-app";
import { correlationIdFrom } from "@ct-crm-sync/core/http/correlation";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { OperationStore } from "@ct-crm-sync/core/state/operation-store";
import type { JobHandOff } from "../job-client";
import { requirePermission } from "../middleware/session";
import { actorOf } from "./actor";
import { parseOrThrow } from "./parse";
import { serve } from "./serve";

/**
 * Operator actions (backfill, scoped re-sync, reconciliation): recorded as
 * operations with who asked, handed to the job, watched while they run.
 */
export function operationRoutes(runtime: Runtime, handOff: JobHandOff): Router {
  const router = Router();
  const api = serviceApi.operations;
  const operations = new OperationStore(runtime.store, runtime.connection, () => runtime.clock.now());

  serve(router, api.list, async () => {
    const [active, recent] = await Promise.all([operations.active(), operations.recent()]);
    return { ...(active ? { active: active.value } : {}), recent };
  });

  serve(router, api.get, async ({ params }) => {
    const found = await operations.get(params.id);
    if (!found) throw new HttpError(404, `no operation ${params.id}`);
    return found.value;
  });

  // Not through `serve`: a refused start answers 409 with the operation in the way (operationConflictSchema).
  router.post(api.start.path, requirePermission(api.start.permission), async (req, res) => {
    const request = parseOrThrow(operationRequestSchema, req.body, "body");
    const correlationId = correlationIdFrom(req);
    const by = actorOf(req);
    const result = await operations.start(request, by);
    if ("conflict" in result) {
      const { conflict } = result;
      res.status(409).json({ error: `the ${conflict.request.kind} started at ${conflict.requestedAt} is ${conflict.state}: wait for it to finish`, operation: conflict });
      return;
    }
    const operation = result.started;
    runtime.logger.info("operation requested", { correlationId, operationId: operation.id, kind: request.kind, userId: by.userId });
    await handOff(operation, correlationId);
    res.json(operation);
  });

  return router;
}
