import type { KeyObject } from "node:crypto";
import express, { type ErrorRequestHandler } from "express";
import { z } from "zod";
import { createBaseApp } from "@ct-crm-sync/core/http/base-app";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { OperationRunner } from "./operation-runner";
import { operatorCredential } from "./operator-credential";
import { jobRequestSchema, type JobOptions, runJob, type JobRunResult } from "./run-job";

export type JobAppOptions = {
  /** The service's public key (JOB_VERIFY_KEY): without it every request with a body is refused. */
  operatorKey?: KeyObject;
  job?: JobOptions;
  /** How often a running operation's progress is written (default 2 s). */
  progressIntervalMs?: number;
};

/** Job requests are small: the service names an operation, the sandbox and tests a task list. */
const bodyLimit = "16kb";

/** What a signed request asks for: an operation the service recorded, or a run of its own. */
const signedRequestSchema = z.union([z.object({ operation: z.string().min(1).max(100) }).strict(), jobRequestSchema]);

/** Connect's cron posts nothing; an empty JSON object is the same trigger. */
const isScheduledTrigger = (body: Buffer) => /^\s*(\{\s*\})?\s*$/.test(body.toString("utf8"));

const statusOf = (run: JobRunResult) => (run.outcome === "failed" ? 500 : run.outcome === "skipped" ? 409 : 200);

/**
 * The job app. `POST /` with no body is the scheduled trigger (Connect's
 * cron): retries, delta sync, polling, pruning, then the operator action still
 * queued, if any. Anything else (a backfill, a scoped re-sync, a
 * reconciliation, tasks, an operation the service hands over) must carry the
 * service's signed credential over this exact body, checked before the body is
 * read; without it: 401, nothing run and nothing queued.
 */
export function createJobApp(runtime: Runtime, options: JobAppOptions = {}) {
  const { app, finish } = createBaseApp({ name: "job", logger: runtime.logger, bodyLimit });
  const check = operatorCredential(options.operatorKey);
  const runner = new OperationRunner(runtime, { job: options.job, progressIntervalMs: options.progressIntervalMs });

  app.post("/", async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (isScheduledTrigger(body)) {
      const run = await runJob(runtime, {}, options.job);
      const operation = run.outcome === "skipped" ? undefined : await runner.runQueued();
      res.status(statusOf(run)).json(operation ? { ...run, operation: { id: operation.id, state: operation.state } } : run);
      return;
    }
    const verdict = await check(req.headers.authorization, body);
    if (!verdict.ok) {
      runtime.logger.warn("job request refused", { reason: verdict.reason });
      res.status(401).json({ error: "this request needs the service's credential" });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      res.status(400).json({ error: "request body is not valid JSON" });
      return;
    }
    const parsed = signedRequestSchema.safeParse(json);
    if (!parsed.success) {
      res.status(400).json({ error: "invalid job request", issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
      return;
    }
    if ("operation" in parsed.data) {
      // The token was issued for this operation: a token for one cannot start another.
      if (parsed.data.operation !== verdict.tokenId) {
        res.status(401).json({ error: "this request needs the service's credential" });
        return;
      }
      const result = await runner.runRequested(parsed.data.operation);
      if (result.status === 404) res.status(404).json({ error: `no operation ${parsed.data.operation}` });
      else res.status(result.status).json(result.operation);
      return;
    }
    const run = await runJob(runtime, parsed.data, options.job);
    res.status(statusOf(run)).json(run);
  });
  finish();

  // The credential covers the exact bytes sent, so `POST /` reads its body raw, in front of the JSON parser.
  const root = express();
  root.disable("x-powered-by");
  const raw = express.raw({ type: () => true, limit: bodyLimit });
  const bodyRefused: ErrorRequestHandler = (error, _req, res, _next) => {
    const tooLarge = (error as { type?: string }).type === "entity.too.large";
    res.status(tooLarge ? 413 : 400).json({ error: tooLarge ? `request body is larger than ${bodyLimit}` : "request body could not be read" });
  };
  root.post("/", raw, bodyRefused);
  root.use(app);
  return root;
}
