import { Router } from "express";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { ReconciliationStore } from "@ct-crm-sync/core/state/reconciliation-store";
import { requirePermission } from "../middleware/session";

/** The latest reconciliation report (counts and drifted records), written by the job. */
export function reconciliationRoutes(runtime: Runtime): Router {
  const router = Router();
  router.get("/latest", requirePermission("View"), async (_req, res) => {
    const report = await new ReconciliationStore(runtime.store, runtime.connection).latest();
    if (!report) {
      res.status(404).json({ error: "no reconciliation has run yet" });
      return;
    }
    res.json(report);
  });
  return router;
}
