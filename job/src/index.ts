import { loadConfig } from "@ct-crm-sync/core/config/env";
import { startApp } from "@ct-crm-sync/core/http/start";
import { jobRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createJobApp } from "./app";
import { jobEnv } from "./config";

startApp({
  name: "job",
  retry: jobRetryPolicy,
  create: (runtime) => {
    const env = loadConfig(jobEnv);
    if (!env.JOB_VERIFY_KEY) runtime.logger.warn("JOB_VERIFY_KEY is not set: only the scheduled trigger runs; operator requests get 401");
    return createJobApp(runtime, { operatorKey: env.JOB_VERIFY_KEY });
  },
});
