import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express, { type Express, type Request, type Response, type NextFunction } from "express";
import { FaultInjector, faultSpecSchema, type FaultSpec } from "./faults";

/** How one CRM words its errors; the simulator base uses it for injected faults. */
export type ErrorDialect = {
  /** Sends the CRM's throttling answer (status, headers, body). */
  throttled(res: Response, fault: FaultSpec): void;
  /** Sends any other error status in the CRM's own error shape. */
  error(res: Response, status: number, message: string): void;
};

export type SimulatorOptions = {
  name: string;
  dialect: ErrorDialect;
  /** True for requests that count as data requests (fault injection, rate limits); false for token, health, __sim. */
  isDataRequest(req: Request): boolean;
  /** Body size limit; bigger bodies get the CRM's 413/400 answer. */
  bodyLimit?: string;
};

export type SimulatorApp = {
  app: Express;
  faults: FaultInjector;
  /** Every data request seen, in order: method, path, status (for call counting). */
  requests: { method: string; path: string; status: number }[];
};

/**
 * The parts every CRM simulator shares: `/__sim/faults` (arm, list, clear),
 * `/__sim/requests` (call counts), `/health`, and the fault middleware that runs
 * before the CRM's own routes. CRM routes are added by the caller.
 */
export function createSimulatorApp(options: SimulatorOptions): SimulatorApp {
  const app = express();
  const faults = new FaultInjector();
  const requests: SimulatorApp["requests"] = [];
  app.disable("x-powered-by");
  app.set("etag", false);

  app.get("/health", (_req, res) => {
    res.json({ ok: true, simulator: options.name });
  });

  const sim = express.Router();
  sim.use(express.json());
  sim.post("/faults", (req, res) => {
    const parsed = faultSpecSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: "invalid fault", issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
      return;
    }
    faults.arm(parsed.data);
    res.status(201).json({ armed: faults.pending() });
  });
  sim.get("/faults", (_req, res) => {
    res.json({ armed: faults.pending(), injected: faults.injected });
  });
  sim.delete("/faults", (_req, res) => {
    faults.clear();
    res.status(204).end();
  });
  sim.get("/requests", (_req, res) => {
    res.json({ count: requests.length, requests });
  });
  sim.delete("/requests", (_req, res) => {
    requests.length = 0;
    res.status(204).end();
  });
  app.use("/__sim", sim);

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!options.isDataRequest(req)) return next();
    // originalUrl: `req.path` is relative to where this router is mounted.
    const path = req.originalUrl.split("?")[0] ?? req.path;
    res.on("finish", () => requests.push({ method: req.method, path, status: res.statusCode }));
    const fault = faults.take(req.path);
    if (!fault) return next();
    const apply = () => {
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      if (fault.malformed) {
        res.status(200).type("application/json").send('{"truncated": ');
        return;
      }
      if (fault.status === 429) return options.dialect.throttled(res, fault);
      if (fault.status !== undefined) return options.dialect.error(res, fault.status, `injected fault ${fault.status}`);
      next();
    };
    if (fault.delayMs) {
      const timer = setTimeout(apply, fault.delayMs);
      res.on("close", () => clearTimeout(timer));
    } else apply();
  });

  return { app, faults, requests };
}

export type RunningServer = { url: string; port: number; server: Server; close(): Promise<void> };

/** Listens on 127.0.0.1 (port 0 picks a free one). */
export function listen(app: Express, port = 0, host = "127.0.0.1"): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once("error", reject);
    server.once("listening", () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${address.port}`,
        port: address.port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
