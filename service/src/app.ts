import express, { Router } from "express";
import { createBaseApp } from "@ct-crm-sync/core/http/base-app";
import { apiBase } from "@ct-crm-sync/core/api/contract";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { jobHandOff, type JobConnection } from "./job-client";
import { merchantCenterSession } from "./middleware/session";
import { failureRoutes } from "./routes/failures";
import { logRoutes } from "./routes/log";
import { mappingRoutes } from "./routes/mappings";
import { operationRoutes } from "./routes/operations";
import { reconciliationRoutes } from "./routes/reconciliation";
import { statusRoutes } from "./routes/status";
import { webhookRoutes } from "./routes/webhooks";

export type ServiceOptions = {
  /** The session token's issuer: the Merchant Center API URL or a cloud identifier. */
  mcApiUrl: string;
  /** This service's public URL (the token's audience). */
  publicUrl: string;
  /** Where operator actions are handed to the job, signed; without it the job's next scheduled run takes them. */
  job?: JobConnection;
};

/**
 * The service app: the CRM's webhooks at `/webhooks/<crm>` (verified by the
 * connector, with the raw body, so in front of the JSON parser), and the
 * Merchant Center app's API (core/src/api/contract.ts) under `/api`, every
 * route behind the MC session (mounted before the routes it guards).
 */
export function createServiceApp(runtime: Runtime, options: ServiceOptions) {
  const { app, finish } = createBaseApp({ name: "service", logger: runtime.logger });
  const api = Router();
  api.use(merchantCenterSession({ audience: options.publicUrl, issuer: options.mcApiUrl, projectKey: runtime.config.projectKey }));
  for (const routes of [statusRoutes, failureRoutes, logRoutes, mappingRoutes, reconciliationRoutes]) api.use(routes(runtime));
  api.use(operationRoutes(runtime, jobHandOff(options.job, runtime.logger)));
  app.use(apiBase, api);
  finish();
  const root = express();
  root.disable("x-powered-by");
  root.use(webhookRoutes(runtime));
  root.use(app);
  return root;
}
