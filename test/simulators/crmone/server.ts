import express from "express";
import { z } from "zod";
import { createSimulatorApp, listen } from "../shared/server";
import { requireAuth, tokenRoute, Tokens } from "./auth";
import { ApiError, crmOneDialect, crmOneErrorHandler } from "./errors";
import { connectorSetup, instanceModels, type InstanceSetup } from "./models";
import { recordExchanges, type Exchange } from "./recorder";
import { dataRoutes } from "./routes/data";
import { webhookRoutes } from "./routes/webhooks";
import { CrmOneStore } from "./store";
import { Throttle } from "./throttle";
import { WebhookDeliverer } from "./webhooks";

export const crmOneBasePath = "/api.php";

/** The user the connector's API client acts as, unless the options name another. */
export const integrationUserId = "5c1b2a3d-0e4f-4a6b-8c7d-9e0f1a2b3c4d";

/** A second API client, acting as a salesperson: changes made with it come from someone other than the connector. */
export const salesperson = { clientId: "sales-client", clientSecret: "sales-secret", userId: "8a9b0c1d-2e3f-4a5b-6c7d-8e9f0a1b2c3d" } as const;
const tokenPath = `${crmOneBasePath}/auth/`;

export type CrmOneSimulatorOptions = {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** The 1CRM user the client above acts as (the connector's integration user). */
  userId?: string;
  /** Lifetime of issued access tokens (1CRM's admin sets it; a day in the official client's example). */
  tokenLifetimeSeconds?: number;
  /** HTTP Basic for the API, which an admin enables (default on here). */
  basicAuth?: boolean;
  /** Custom fields and extra filters the admin created (default: what the connector's README asks for). */
  setup?: InstanceSetup;
  /** A rate limit in front of the instance (none by default: 1CRM documents none). */
  requestsPerSecond?: number;
};

/**
 * A 1CRM instance ("CRM One") on 127.0.0.1: the REST API under `/api.php`
 * (token endpoint, `/data/{Model}`, `/webhooks`), webhook deliveries for
 * changes made through it, and the shared `/__sim/faults` switch. See README.md.
 */
export async function startCrmOneSimulator(options: CrmOneSimulatorOptions = {}) {
  const credentials = { clientId: options.clientId ?? "sandbox-client", clientSecret: options.clientSecret ?? "sandbox-secret", userId: options.userId ?? integrationUserId };
  const store = new CrmOneStore(instanceModels(options.setup ?? connectorSetup));
  const tokens = new Tokens(options.tokenLifetimeSeconds ?? 86_400);
  const throttle = new Throttle();
  throttle.configure(options.requestsPerSecond);
  const exchanges: Exchange[] = [];
  const webhooks = new WebhookDeliverer(store, (model, record) => ({ ...record, ...store.display(model, record) }));
  const { app, faults, requests } = createSimulatorApp({
    name: "crmone",
    dialect: crmOneDialect,
    isDataRequest: (req) => req.path.startsWith(`${crmOneBasePath}/`) && !req.path.startsWith(tokenPath),
  });

  app.post("/__sim/crmone/throttle", express.json(), (req, res) => {
    const parsed = z.object({ requestsPerSecond: z.number().int().min(1).optional() }).safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ message: parsed.error.message });
    throttle.configure(parsed.data.requestsPerSecond);
    res.status(204).end();
  });
  app.get("/__sim/crmone/deliveries", (_req, res) => {
    res.json({ count: webhooks.deliveries.length, deliveries: webhooks.deliveries });
  });

  const api = express.Router({ strict: true });
  api.use(throttle.middleware);
  const clients = [credentials, salesperson];
  api.use(tokenRoute(tokens, clients));
  api.use(requireAuth(tokens, clients, options.basicAuth ?? true));
  api.use(express.json({ limit: "2mb" }));
  api.use(recordExchanges(exchanges));
  api.use(dataRoutes(store));
  api.use(webhookRoutes(store));
  api.use(() => {
    throw new ApiError(404, "Not found");
  });
  api.use(crmOneErrorHandler);
  app.use(crmOneBasePath, api);

  const running = await listen(app, options.port ?? 0);
  return {
    /** What the connector's CRMONE_API_URL takes (`https://<instance>/api.php` in production). */
    url: `${running.url}${crmOneBasePath}`,
    /** Where the simulator's own controls are (`/__sim/faults`, `/__sim/crmone/...`, `/health`). */
    origin: running.url,
    ...credentials,
    /** A person using the CRM through its API (a salesperson's app): their writes are not the connector's. */
    salesperson,
    store,
    faults,
    /** Every data request: method, path, status (call counting). */
    requests,
    /** Every answered data request with its bodies (the OpenAPI check). */
    exchanges,
    tokens,
    throttle,
    webhooks,
    close: running.close,
  };
}

export type CrmOneSimulator = Awaited<ReturnType<typeof startCrmOneSimulator>>;
