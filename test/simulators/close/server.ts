import express, { type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { createSimulatorApp, listen, type ErrorDialect } from "../shared/server";
import { closeErrorHandler, sendError } from "./errors";
import { RateLimiter, sendThrottled, setRateLimitHeader } from "./rate-limit";
import { createRecorder, type RecordedRequest } from "./recorder";
import { activityRoutes } from "./routes/activities";
import { configRoutes } from "./routes/config";
import { peopleRoutes } from "./routes/people";
import { searchRoutes } from "./routes/search";
import { SearchIndex, searchIndexSpec } from "./search-index";
import { webhookRoutes } from "./routes/webhooks";
import { CloseStore } from "./store";
import { deliverEvent, type CloseEventInput } from "./webhooks";
import { CloseWebhookDeliveries } from "./webhook-delivery";
import { deliveryFaultsSchema, type OutboxOptions } from "../shared/outbox";

export const closeBasePath = "/api/v1";
export const defaultCloseApiKey = "sandbox-key";

/** How injected faults look when Close sends them. */
export const closeDialect: ErrorDialect = {
  throttled(res, fault) {
    sendThrottled(res, fault.retryAfterSeconds ?? 1, 100);
  },
  error(res, status, message) {
    setRateLimitHeader(res, 100, 99, 1);
    sendError(res, status, message);
  },
};

export type CloseSimulatorOptions = {
  port?: number;
  apiKey?: string;
  /** Retry timing of webhook deliveries (Close backs off for 72 hours; tests want milliseconds). */
  webhookRetry?: OutboxOptions;
  /** How long a created lead or contact stays out of search answers (search-index.ts; default 0). */
  searchIndexDelayMs?: number;
};

/** Accepts `Authorization: Basic base64("<key>:")`, the API key as username and an empty password. */
function basicAuth(apiKey: string) {
  const expected = Buffer.from(`${apiKey}:`).toString("base64");
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.header("authorization") ?? "";
    const [scheme, token] = header.split(" ");
    if (scheme?.toLowerCase() === "basic" && token === expected) return next();
    sendError(res, 401, "The API key is missing or invalid.");
  };
}

function requireJson(req: Request, res: Response, next: NextFunction) {
  const hasBody = req.method === "POST" || req.method === "PUT";
  if (hasBody && Number(req.header("content-length") ?? "0") > 0 && !req.is("application/json")) {
    sendError(res, 415, "Unsupported media type; send application/json.");
    return;
  }
  next();
}

const rateLimitSpec = z.object({ limit: z.number().int().min(1), windowSeconds: z.number().positive() });

export async function startCloseSimulator(options: CloseSimulatorOptions = {}) {
  const apiKey = options.apiKey ?? defaultCloseApiKey;
  const store = new CloseStore();
  const webhooks = new CloseWebhookDeliveries(store, options.webhookRetry);
  const limiter = new RateLimiter();
  const searchIndex = new SearchIndex(store, options.searchIndexDelayMs ?? 0);
  const recorded: RecordedRequest[] = [];
  const { app, faults, requests } = createSimulatorApp({
    name: "close",
    dialect: closeDialect,
    isDataRequest: (req) => req.path.startsWith(`${closeBasePath}/`),
  });

  // Close-only simulator controls, next to the shared /__sim ones.
  app.post("/__sim/close/rate-limit", express.json(), (req, res) => {
    const parsed = rateLimitSpec.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, parsed.error.message);
    limiter.configure(parsed.data);
    res.status(204).end();
  });
  // Webhook deliveries: faults (duplicate, delayMs, reorder, paused) and figures.
  app.post("/__sim/close/webhooks", express.json(), (req, res) => {
    const parsed = deliveryFaultsSchema.partial().strict().safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, parsed.error.message);
    res.json(webhooks.configure(parsed.data));
  });
  // Search lag: how long a new lead or contact stays out of search answers.
  app.post("/__sim/close/search-index", express.json(), (req, res) => {
    const parsed = searchIndexSpec.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, parsed.error.message);
    searchIndex.delayMs = parsed.data.delayMs;
    res.status(204).end();
  });
  app.get("/__sim/close/webhooks", (_req, res) => {
    res.json(webhooks.stats());
  });
  app.get("/__sim/close/recorded", (_req, res) => {
    res.json({ count: recorded.length, recorded });
  });

  const api = express.Router({ strict: true });
  api.use((req, res, next) => {
    const taken = limiter.take(apiKey, res);
    if (!taken.allowed) return sendThrottled(res, taken.resetSeconds, taken.limit);
    next();
  });
  api.use(basicAuth(apiKey));
  api.use(requireJson);
  api.use(express.json({ limit: "1mb" }));
  api.use(createRecorder(recorded));
  api.use(peopleRoutes(store));
  api.use(configRoutes(store));
  api.use(activityRoutes(store));
  api.use(searchRoutes(store, searchIndex));
  api.use(webhookRoutes(store));
  api.use((_req, res) => sendError(res, 404, "Not found."));
  api.use(closeErrorHandler);
  app.use(closeBasePath, api);

  const running = await listen(app, options.port ?? 0);
  return {
    /** What the connector's CLOSE_API_URL takes: `https://api.close.com/api/v1` in production. */
    url: `${running.url}${closeBasePath}`,
    /** Where the simulator's own controls are (`/__sim/faults`, `/__sim/close/...`, `/health`). */
    origin: running.url,
    apiKey,
    store,
    faults,
    requests,
    /** Every accepted API request with bodies (for the OpenAPI drift check). */
    recorded,
    rateLimit: (spec: { limit: number; windowSeconds: number }) => limiter.configure(spec),
    /** Search lag (`delayMs`), settable while running. */
    searchIndex,
    /** Signs and sends a webhook event to every matching subscription. */
    deliverEvent: (input: CloseEventInput, opts?: { timestamp?: number; tamper?: boolean }) => deliverEvent(store, input, opts),
    /** Deliveries Close makes by itself for changes through the API: faults, figures, `drained()`. */
    webhooks,
    close: async () => {
      webhooks.close();
      await running.close();
    },
  };
}

export type CloseSimulator = Awaited<ReturnType<typeof startCloseSimulator>>;
