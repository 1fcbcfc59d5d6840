import { loadConfig } from "@ct-crm-sync/core/config/env";
import { startApp } from "@ct-crm-sync/core/http/start";
import { inlineRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createEventApp } from "./app";
import { batchingEnv } from "./batched-sync";
import { pushAuthEnv, pushAuthenticator } from "./push-auth";

startApp({
  name: "event",
  retry: inlineRetryPolicy,
  create: (runtime) => createEventApp(runtime, { authenticate: pushAuthenticator(loadConfig(pushAuthEnv)), batching: loadConfig(batchingEnv) }),
});
