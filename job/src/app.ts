import { createBaseApp } from "@ct-crm-sync/core/http/base-app";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { runJob } from "./run-job";

/** The job app: Connect calls `POST /` on the cron schedule; the sandbox calls it on demand. */
export function createJobApp(runtime: Runtime) {
  const { app, finish } = createBaseApp({ name: "job", logger: runtime.logger });
  app.post("/", async (_req, res) => {
    const run = await runJob(runtime);
    res.status(run.outcome === "failed" ? 500 : 200).json(run);
  });
  finish();
  return app;
}
