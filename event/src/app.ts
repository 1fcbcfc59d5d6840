import type { Runtime } from "@ct-crm-sync/core/runtime";
import { createBaseApp } from "@ct-crm-sync/core/http/base-app";
import { type BatchingSettings, batchedSync, batchingEnv } from "./batched-sync";
import { messageHandler } from "./message-handler";
import type { PushAuthenticator } from "./push-auth";

/** The event app: Connect pushes every Subscription message to `POST /`. */
export function createEventApp(runtime: Runtime, options: { authenticate?: PushAuthenticator; batching?: Partial<BatchingSettings> } = {}) {
  // Pub/Sub messages are up to 10 MB, base64 in the push body adds a third: a
  // big order message refused with 413 would be redelivered until it expires.
  const { app, finish } = createBaseApp({ name: "event", logger: runtime.logger, bodyLimit: "14mb" });
  if (!options.authenticate) runtime.logger.warn("Pub/Sub push authentication is off: pushes are re-read, never trusted, but anyone can ask for a re-sync");
  const sync = batchedSync(runtime, { ...batchingEnv.parse({}), ...options.batching });
  app.post("/", messageHandler(runtime, sync, options));
  finish();
  return app;
}
