import { Router } from "express";
import { serviceApi } from "@ct-crm-sync/core/api/contract";
import { HttpError } from "@ct-crm-sync/core/http/base-app";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { serve } from "./serve";

/** The reconciliation reports (counts and drifted records) the job writes: the latest finished one and the rolling pass in progress. */
export function reconciliationRoutes(runtime: Runtime): Router {
  const router = Router();
  serve(router, serviceApi.reconciliation.latest, async () => {
    const report = await runtime.reconciliations.latest();
    if (!report) throw new HttpError(404, "no reconciliation has run yet");
    return report;
  });
  serve(router, serviceApi.reconciliation.current, async () => {
    const rolling = await runtime.reconciliations.rolling();
    if (!rolling) throw new HttpError(404, "no scheduled reconciliation slice has run yet");
    return rolling.value.report;
  });
  return router;
}
