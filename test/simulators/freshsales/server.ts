import express, { type NextFunction, type Request, type Response } from "express";
import { createSimulatorApp, listen, type ErrorDialect } from "../shared/server";
import { freshsalesErrorHandler, sendError } from "./errors";
import { AccountBudget, sendThrottled, type BudgetSpec } from "./limits";
import { catalogueRoutes } from "./routes/catalogue";
import { noteRoutes } from "./routes/notes";
import { recordRoutes } from "./routes/records";
import { FreshsalesStore } from "./store";
import { BulkJobs, type Changed } from "./upsert";
import { Workflows, workflowSpecSchema, type WorkflowSpec } from "./workflows";

/** Where the API lives: the bundle form (`https://<bundle>.myfreshworks.com/crm/sales/api`) and the legacy one (`https://<domain>.freshsales.io/api`). */
export const bundleBasePath = "/crm/sales/api";
export const legacyBasePath = "/api";
export const defaultFreshsalesApiKey = "sandbox-key";
/** A second user's key (a salesperson's), for changes made in Freshsales by someone other than the integration. */
export const salesApiKey = "sales-key";

/** One API request the simulator answered, for call counts and the path check (spec/paths.ts). */
export type RecordedRequest = { method: string; path: string; query: string[]; status: number; base: "bundle" | "legacy"; correlationId?: string | undefined };

export type FreshsalesSimulatorOptions = {
  port?: number;
  /** The integration user's API key (its user ID is 1001); `salesApiKey` belongs to user 1002. */
  apiKey?: string;
  budget?: Partial<BudgetSpec>;
  /** Milliseconds before a new record shows in lookup answers (Freshsales indexes its search). */
  searchDelayMs?: number;
  /** Milliseconds between an upsert's find and its write: where concurrent upserts of one new key race. */
  upsertGapMs?: number;
  /** Milliseconds a bulk job waits in the queue before it runs. */
  jobDelayMs?: number;
  /** False: an account whose admin has not added ct-crm-sync's custom fields yet. */
  installConnectorFields?: boolean;
};

export async function startFreshsalesSimulator(options: FreshsalesSimulatorOptions = {}) {
  const apiKey = options.apiKey ?? defaultFreshsalesApiKey;
  // Each API key is a user's: what it changes carries that user as updater_id.
  const users = new Map([[apiKey, 1001], [salesApiKey, 1002]]);
  const userOf = (req: Request) => users.get((req.header("authorization") ?? "").replace(/^Token token=/, ""))!;
  const store = new FreshsalesStore({ installConnectorFields: options.installConnectorFields });
  store.searchDelayMs = options.searchDelayMs ?? 0;
  const jobs = new BulkJobs();
  jobs.delayMs = options.jobDelayMs ?? 20;
  const budget = new AccountBudget();
  budget.configure(options.budget ?? {});
  const workflows = new Workflows();
  const recorded: RecordedRequest[] = [];
  const changed: Changed = (module, record, event) => workflows.fire(store, module, record, event);
  let upsertGapMs = options.upsertGapMs ?? 2;

  const dialect: ErrorDialect = {
    throttled: (res, fault) => sendThrottled(res, fault.retryAfterSeconds ?? 1, budget.settings.retryAfter, "minute"),
    error: (res, status, message) => sendError(res, status, [message]),
  };
  const { app, faults, requests } = createSimulatorApp({
    name: "freshsales",
    dialect,
    isDataRequest: (req) => req.path.startsWith(`${bundleBasePath}/`) || req.path.startsWith(`${legacyBasePath}/`),
  });

  // Freshsales-only simulator controls, beside the shared /__sim ones: the admin's workflows, the plan's budget, the recorded calls.
  app.post("/__sim/freshsales/workflows", express.json(), (req, res) => {
    const parsed = workflowSpecSchema.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
    res.status(201).json({ id: workflows.add(parsed.data) });
  });
  app.delete("/__sim/freshsales/workflows", (_req, res) => {
    workflows.clear();
    res.status(204).end();
  });
  app.post("/__sim/freshsales/budget", express.json(), (req, res) => {
    budget.configure(req.body as Partial<BudgetSpec>);
    res.json(budget.settings);
  });
  app.get("/__sim/freshsales/recorded", (_req, res) => {
    res.json({ count: recorded.length, recorded });
  });

  const api = (base: RecordedRequest["base"]) => {
    const router = express.Router({ strict: true });
    router.use((req: Request, res: Response, next: NextFunction) => {
      res.on("finish", () =>
        recorded.push({ method: req.method, path: req.path, query: Object.keys(req.query as object), status: res.statusCode, base, correlationId: req.header("x-correlation-id") }),
      );
      next();
    });
    router.use((req: Request, res: Response, next: NextFunction) => {
      const key = /^Token token=(.+)$/.exec(req.header("authorization") ?? "")?.[1];
      if (!key || !users.has(key)) return sendError(res, 401, ["Authentication failed: the API key is missing or invalid"]);
      const taken = budget.take();
      if (!taken.allowed) return sendThrottled(res, taken.resetSeconds, budget.settings.retryAfter, taken.which);
      next();
    });
    router.use(express.json({ limit: "2mb" }));
    router.use(recordRoutes({ store, jobs, changed, gapMs: () => upsertGapMs, userOf }));
    router.use(catalogueRoutes(store));
    router.use(noteRoutes(store, userOf));
    router.use((_req, res) => sendError(res, 404, ["The requested resource does not exist"]));
    router.use(freshsalesErrorHandler);
    return router;
  };
  app.use(bundleBasePath, api("bundle"));
  app.use(legacyBasePath, api("legacy"));

  const running = await listen(app, options.port ?? 0);
  return {
    /** What the connector's FRESHSALES_API_URL takes in the bundle form: `https://<bundle>.myfreshworks.com/crm/sales/api` in production. */
    url: `${running.url}${bundleBasePath}`,
    /** The same API under the legacy form (`https://<domain>.freshsales.io/api`). */
    legacyUrl: `${running.url}${legacyBasePath}`,
    /** Where the simulator's own controls are (`/__sim/faults`, `/__sim/freshsales/...`, `/health`). */
    origin: running.url,
    apiKey,
    /** The Freshsales user ID behind `apiKey` (what FRESHSALES_API_USER_ID takes). */
    userId: users.get(apiKey)!,
    /** A salesperson's key: changes made with it are not the integration's. */
    salesApiKey,
    store,
    faults,
    /** Every data request (the shared base's count, faults included). */
    requests,
    /** Every API request that reached the Freshsales routes, with its query names. */
    recorded,
    budget,
    jobs,
    workflows,
    addWorkflow: (spec: WorkflowSpec) => workflows.add(spec),
    setUpsertGap: (ms: number) => void (upsertGapMs = ms),
    /** Resolves once queued bulk jobs have run and every webhook sent has been answered. */
    settled: async () => {
      await jobs.idle();
      await workflows.idle();
    },
    close: running.close,
  };
}

export type FreshsalesSimulator = Awaited<ReturnType<typeof startFreshsalesSimulator>>;
