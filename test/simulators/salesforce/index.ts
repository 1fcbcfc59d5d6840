import { randomUUID } from "node:crypto";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { createSimulatorApp, listen, type SimulatorApp } from "../shared/server";
import { bearerAuth, tokenRouter, TokenRegistry, type AuthOptions } from "./auth";
import { bulkRouter } from "./bulk-routes";
import { salesforceDialect, sendErrors, SfHttpError } from "./errors";
import { ApiUsage } from "./limits";
import { restRouter } from "./rest-routes";
import { OutboundMessages, outboundMessageSchema } from "./outbound-messages";
import { SalesforceStore, type WriteRequest } from "./store";
import { deliveryFaultsSchema, type OutboxOptions } from "../shared/outbox";

export const apiVersion = "62.0";
export const apiPath = `/services/data/v${apiVersion}`;

export type SalesforceSimulatorOptions = Partial<AuthOptions> & {
  /** Records per SOQL page unless the client sends Sforce-Query-Options (Salesforce: 2000). */
  queryPageSize?: number;
  /** Delay before a Bulk API 2.0 job starts processing after UploadComplete. */
  bulkProcessingDelayMs?: number;
  /** The org's clock: CreatedDate, LastModifiedDate and SystemModstamp of every write. */
  now?: () => Date;
  /** Daily API allowance reported in Sforce-Limit-Info and /limits. */
  dailyApiLimit?: number;
  /** Retry timing of Outbound Messages (Salesforce retries for 24 hours; tests want milliseconds). */
  outboundRetry?: OutboxOptions;
  /** Upserts of a new key whose request arrived before another request created the key are refused with DUPLICATE_VALUE, as in an org (default true). */
  concurrentInserts?: boolean;
};

export type SalesforceSimulator = Pick<SimulatorApp, "faults" | "requests"> & {
  app: Express;
  store: SalesforceStore;
  usage: ApiUsage;
  tokens: TokenRegistry;
  /** The correlation header of every data request, in arrival order (Salesforce ignores it; clients prove they send it). */
  correlationIds: (string | undefined)[];
  /** Outbound Messages the org sends for records written through the API: `define`, faults, figures, `drained()`. */
  outboundMessages: OutboundMessages;
  /** Where the org is served (the instance URL in Outbound Messages), once it listens. */
  instance: { url: string };
};

const limitsControl = z.object({ used: z.number().int().min(0).optional(), max: z.number().int().min(1).optional(), throttled: z.boolean().optional() });

/**
 * Builds the simulator without listening (for supertest or embedding).
 * Layers, in order: Sforce-Limit-Info on every data response, shared fault
 * injection, token endpoint, bearer auth, the allowance check, REST + Bulk routes.
 */
export function createSalesforceSimulator(options: SalesforceSimulatorOptions = {}): SalesforceSimulator {
  const auth: AuthOptions = {
    clientId: options.clientId ?? "sandbox-client",
    clientSecret: options.clientSecret ?? "sandbox-secret",
    tokenTtlMs: options.tokenTtlMs ?? 2 * 3600_000,
    ...(options.announceExpiry ? { announceExpiry: true } : {}),
  };
  const store = new SalesforceStore(options.now);
  store.concurrentInserts = options.concurrentInserts ?? true;
  const instance = { url: "http://127.0.0.1" };
  const outboundMessages = new OutboundMessages(store, () => instance.url, options.outboundRetry);
  const usage = new ApiUsage();
  if (options.dailyApiLimit !== undefined) usage.max = options.dailyApiLimit;
  const tokens = new TokenRegistry(auth.tokenTtlMs);
  const sim = createSimulatorApp({
    name: "salesforce",
    dialect: salesforceDialect,
    isDataRequest: (req) => req.path.startsWith("/services/data"),
  });

  const correlationIds: (string | undefined)[] = [];
  const outer = express();
  outer.disable("x-powered-by");
  outer.set("etag", false);
  outer.use("/services/data", (req, res, next) => {
    // Stamped before any injected delay: a request delayed while another created its record raced it.
    res.locals.writeRequest = { id: randomUUID(), arrivedAt: Date.now() } satisfies WriteRequest;
    correlationIds.push(req.get("x-correlation-id"));
    next();
  });
  outer.use("/services/data", usage.announce());
  outer.use(sim.app);

  const { app } = sim;
  const control = express.Router();
  control.use(express.json());
  control.get("/limits", (_req, res) => {
    res.json({ used: usage.used, max: usage.max, throttled: usage.throttled });
  });
  control.post("/limits", (req, res) => {
    const parsed = limitsControl.safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: parsed.error.issues.map((i) => i.message).join("; ") });
    if (parsed.data.used !== undefined) usage.used = parsed.data.used;
    if (parsed.data.max !== undefined) usage.max = parsed.data.max;
    if (parsed.data.throttled !== undefined) usage.throttled = parsed.data.throttled;
    res.json({ used: usage.used, max: usage.max, throttled: usage.throttled });
  });
  // Outbound Messages: the admin's definitions (object, endpoint URL, fields), delivery faults and figures.
  control.post("/outbound-messages", (req, res) => {
    const parsed = z.array(outboundMessageSchema).safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: parsed.error.issues.map((i) => i.message).join("; ") });
    outboundMessages.define(parsed.data);
    res.status(204).end();
  });
  control.post("/outbound-messages/faults", (req, res) => {
    const parsed = deliveryFaultsSchema.partial().strict().safeParse(req.body);
    if (!parsed.success) return void res.status(400).json({ error: parsed.error.issues.map((i) => i.message).join("; ") });
    res.json(outboundMessages.configure(parsed.data));
  });
  control.get("/outbound-messages", (_req, res) => {
    res.json(outboundMessages.stats());
  });
  control.post("/expire-tokens", (_req, res) => {
    tokens.expireAll();
    res.status(204).end();
  });
  app.use("/__sim/salesforce", control);

  app.use(tokenRouter(tokens, auth));
  app.get("/services/data", (_req, res) => {
    res.json([{ label: "Winter '25", url: apiPath, version: apiVersion }]);
  });
  app.use(
    apiPath,
    bearerAuth(tokens),
    usage.enforce(),
    express.json({ limit: "50mb" }),
    restRouter({ store, usage, apiPath, queryPageSize: options.queryPageSize ?? 2000 }),
    bulkRouter({ store, apiVersion, processingDelayMs: options.bulkProcessingDelayMs ?? 50 }),
  );
  app.use("/services/data", (_req: Request, res: Response) => {
    sendErrors(res, 404, [{ errorCode: "NOT_FOUND", message: "The requested resource does not exist" }]);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof SfHttpError) return sendErrors(res, err.status, err.errors);
    const type = (err as { type?: string }).type;
    if (type === "entity.parse.failed") return sendErrors(res, 400, [{ errorCode: "JSON_PARSER_ERROR", message: `Unexpected character in the request body: ${(err as Error).message}` }]);
    if (type === "entity.too.large") return sendErrors(res, 413, [{ errorCode: "REQUEST_ENTITY_TOO_LARGE", message: "Request body too large" }]);
    sendErrors(res, 500, [{ errorCode: "UNKNOWN_EXCEPTION", message: "An unexpected error occurred. Please include this ErrorId if you contact support: SIM" }]);
  });

  return { app: outer, store, usage, tokens, correlationIds, outboundMessages, faults: sim.faults, requests: sim.requests, instance };
}

/** `url` is the org's login (My Domain) URL, the value of the connector's SALESFORCE_LOGIN_URL; it is also the instance URL. */
export type RunningSalesforceSimulator = SalesforceSimulator & { url: string; port: number; close(): Promise<void> };

/** Starts the simulator on 127.0.0.1 (port 0 picks a free one). */
export async function startSalesforceSimulator(options: SalesforceSimulatorOptions & { port?: number } = {}): Promise<RunningSalesforceSimulator> {
  const simulator = createSalesforceSimulator(options);
  const running = await listen(simulator.app, options.port ?? 0);
  simulator.instance.url = running.url;
  return {
    ...simulator,
    url: running.url,
    port: running.port,
    close: async () => {
      simulator.outboundMessages.close();
      await running.close();
    },
  };
}
