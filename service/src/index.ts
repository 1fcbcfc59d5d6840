import { loadConfig } from "@ct-crm-sync/core/config/env";
import { startApp } from "@ct-crm-sync/core/http/start";
import { inlineRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createServiceApp } from "./app";
import { serviceEnv } from "./config";

startApp({
  name: "service",
  retry: inlineRetryPolicy,
  create: (runtime) => {
    const env = loadConfig(serviceEnv);
    const job = env.JOB_URL && env.JOB_SIGNING_KEY ? { url: env.JOB_URL, signingKey: env.JOB_SIGNING_KEY } : undefined;
    return createServiceApp(runtime, { mcApiUrl: env.MC_API_URL, publicUrl: env.SERVICE_PUBLIC_URL, job });
  },
});
