import express, { type Request, type Response } from "express";
import { createSimulatorApp, listen } from "../shared/server";
import { bearerAuth, defaultClients, TokenIssuer, tokenRouter, type SimClient } from "./auth";
import { runBatch } from "./batch";
import { dataverseDialect, DataverseError } from "./errors";
import { protectionLimitsSchema, ServiceProtection } from "./service-protection";
import { DataverseStore, UnitOfWork } from "./store";
import { errorResponse, execute, type ApiContext, type ApiResponse } from "./web-api";
import { stepSchema, WebhookSteps, type WebhookOptions } from "./webhooks";

export const apiPath = "/api/data/v9.2";
export const defaultTenant = "sandbox";
export const organizationId = "0c0ffee0-0000-4000-8000-00000000a001";
export const businessUnitId = "0c0ffee0-0000-4000-8000-00000000b001";
export { defaultClients, type SimClient } from "./auth";
export type { StepSpec, Delivery } from "./webhooks";

export type DynamicsSimulatorOptions = {
  port?: number;
  /** The directory tenant in the token endpoint's path (default `sandbox`). */
  tenant?: string;
  /** App registrations by client ID (default: `sandbox-client` / `sandbox-secret` and `sandbox-sales` / `sales-secret`). */
  clients?: Record<string, SimClient>;
  /** Lifetime of issued tokens (Microsoft identity: about an hour). */
  tokenTtlSeconds?: number;
  /** The org's clock: createdon and modifiedon of every write. */
  now?: () => Date;
  webhooks?: WebhookOptions;
  /**
   * How long a create takes between its lookup and its insert, the window in
   * which a concurrent create of the same key slips in (default 0: one turn of
   * the event loop, so only requests arriving together race). Dataverse's own
   * creates take milliseconds: the sandbox sets a few.
   */
  createLatencyMs?: number;
  /**
   * ISO codes of the org's currencies (transactioncurrency rows): the first
   * is the base currency every org is created with, the others the ones an
   * admin added (default EUR, USD, GBP).
   */
  currencies?: string[];
};

const currencyNames: Record<string, string> = { EUR: "Euro", USD: "US Dollar", GBP: "Pound Sterling" };

function send(res: Response, response: ApiResponse): void {
  res.status(response.status).set({ "OData-Version": "4.0", ...response.headers });
  if (response.body === undefined) res.end();
  else res.type("application/json; odata.metadata=minimal").send(JSON.stringify(response.body));
}

/**
 * A Dataverse organisation on 127.0.0.1: Microsoft identity's token endpoint
 * and the Web API (`/api/data/v9.2`) with records, OData queries, `$batch`,
 * service protection and webhook steps. `url` is the org URL (what the
 * connector's DYNAMICS_ORG_URL takes), and also the authority the token
 * endpoint lives under (`{url}/{tenant}/oauth2/v2.0/token`).
 */
export async function startDynamicsSimulator(options: DynamicsSimulatorOptions = {}) {
  const tenant = options.tenant ?? defaultTenant;
  const clients = options.clients ?? defaultClients;
  const store = new DataverseStore(options.now, options.createLatencyMs ?? 0);
  store.seed(
    "transactioncurrencies",
    (options.currencies ?? ["EUR", "USD", "GBP"]).map((code) => ({ isocurrencycode: code, currencyname: currencyNames[code] ?? code })),
  );
  const tokens = new TokenIssuer(options.tokenTtlSeconds ?? 3599);
  const protection = new ServiceProtection();
  let host = "127.0.0.1";
  const org = { id: organizationId, name: "sandbox", businessUnitId };
  const webhooks = new WebhookSteps(() => ({ ...org, host }), options.webhooks);
  store.onCommit((changes) => webhooks.announce(changes));

  const sim = createSimulatorApp({ name: "dynamics", dialect: dataverseDialect, isDataRequest: (req) => req.path.startsWith("/api/data/") });
  // Before the shared fault layer: who calls, and whether service protection lets the call in, come first.
  const correlationIds: (string | undefined)[] = [];
  const recordCorrelation: express.RequestHandler = (req, _res, next) => void (correlationIds.push(req.get("x-correlation-id")), next());
  const outer = express().disable("x-powered-by").set("etag", false);
  outer.use("/api/data", recordCorrelation, bearerAuth(tokens, tenant), protection.middleware());
  outer.use(sim.app);

  const { app } = sim;
  const control = express.Router();
  control.use(express.json());
  control.post("/steps", (req, res) => {
    const parsed = stepSchema.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    res.status(201).json(webhooks.register(parsed.data));
  });
  control.get("/steps", (_req, res) => void res.json({ steps: webhooks.list() }));
  control.delete("/steps/:id", (req, res) => void res.status(webhooks.remove(req.params.id!) ? 204 : 404).end());
  control.get("/deliveries", (_req, res) => void res.json({ deliveries: webhooks.deliveries }));
  control.get("/dynamics/limits", (_req, res) => void res.json(protection.current()));
  control.post("/dynamics/limits", (req, res) => {
    const parsed = protectionLimitsSchema.partial().safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    res.json(protection.configure(parsed.data));
  });
  control.post("/dynamics/expire-tokens", (_req, res) => {
    tokens.expireAll();
    res.status(204).end();
  });
  app.use("/__sim", control);
  app.use(tokenRouter(tokens, tenant, clients));

  const contextFor = (req: Request, unit: UnitOfWork): ApiContext => ({
    store,
    unit,
    serviceRoot: `${req.protocol}://${req.get("host")}${apiPath}`,
    organizationId,
    businessUnitId,
  });
  const api = express.Router();
  api.use(express.text({ type: () => true, limit: "50mb" }));
  api.use(async (req: Request, res: Response) => {
    const userId = String(res.locals.userId);
    const body = typeof req.body === "string" ? req.body : "";
    if (req.path === "/$batch") {
      if (req.method !== "POST") return send(res, errorResponse(new DataverseError(405, "0x80060888", "The $batch resource takes POST only.")));
      try {
        const batch = await runBatch(store, { body, contentType: req.get("content-type"), prefer: req.get("prefer"), userId }, (unit) => contextFor(req, unit));
        res.status(200).set({ "OData-Version": "4.0", "Content-Type": `multipart/mixed; boundary=${batch.boundary}` }).send(Buffer.from(batch.body));
      } catch (error) {
        send(res, errorResponse(error));
      }
      return;
    }
    const unit = new UnitOfWork(userId);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]));
    const query = new URLSearchParams(req.originalUrl.split("?")[1] ?? "");
    let path: string;
    try {
      path = decodeURIComponent(req.path.replace(/^\//, ""));
    } catch {
      return send(res, errorResponse(new DataverseError(400, "0x80040203", "The request URL is not valid.")));
    }
    const response = await execute({ method: req.method, path, query, headers, body }, contextFor(req, unit)).catch(errorResponse);
    if (response.status < 400) store.commit(unit);
    send(res, response);
  });
  app.use(apiPath, api);
  app.use("/api/data", (_req, res) => send(res, errorResponse(new DataverseError(404, "0x80060888", "Resource not found for the segment 'api/data'."))));
  app.use((err: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === "entity.too.large") return send(res, errorResponse(new DataverseError(413, "0x80044183", "The request body is too large.")));
    send(res, errorResponse(err));
  });

  const running = await listen(outer, options.port ?? 0);
  host = new URL(running.url).host;
  return {
    /** The org URL (DYNAMICS_ORG_URL) and the authority of its token endpoint. */
    url: running.url,
    /** The Web API's service root, `{url}/api/data/v9.2`. */
    serviceRoot: `${running.url}${apiPath}`,
    tenant,
    clients,
    store,
    faults: sim.faults,
    requests: sim.requests,
    tokens,
    protection,
    webhooks,
    /** The X-Correlation-ID of every Web API request, in arrival order. */
    correlationIds,
    close: running.close,
  };
}

export type DynamicsSimulator = Awaited<ReturnType<typeof startDynamicsSimulator>>;
