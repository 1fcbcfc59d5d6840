import { createBaseApp } from "@ct-crm-sync/core/http/base-app";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { jobRequestSchema, type JobOptions, runJob } from "./run-job";

/**
 * The job app: Connect calls `POST /` on the cron schedule (no body: retries,
 * delta sync, pruning); the sandbox and operators post a body to ask for a
 * backfill, a scoped re-sync or a reconciliation.
 */
export function createJobApp(runtime: Runtime, options: JobOptions = {}) {
  const { app, finish } = createBaseApp({ name: "job", logger: runtime.logger });
  app.post("/", async (req, res) => {
    const parsed = jobRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: "invalid job request", issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
      return;
    }
    const run = await runJob(runtime, parsed.data, options);
    res.status(run.outcome === "failed" ? 500 : run.outcome === "skipped" ? 409 : 200).json(run);
  });
  finish();
  return app;
}
