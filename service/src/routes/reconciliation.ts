import { Router } from "express";
import { serviceApi } from "@ct-crm-sync/core/api/contract";
import { HttpError } from "@ct-crm-sync/core/http/base-app";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { serve } from "./serve";

/** The latest reconciliation report (counts and drifted records), written by the job. */
export function reconciliationRoutes(runtime: Runtime): Router {
  const router = Router();
  serve(router, serviceApi.reconciliation.latest, async () => {
    const report = await runtime.reconciliations.latest();
    if (!report) throw new HttpError(404, "no reconciliation has run yet");
    return report;
  });
  return router;
}
