import type { Runtime } from "@ct-crm-sync/core/runtime";
import { createBaseApp } from "@ct-crm-sync/core/http/base-app";
import { messageHandler } from "./message-handler";

/** The event app: Connect pushes every Subscription message to `POST /`. */
export function createEventApp(runtime: Runtime) {
  // Pub/Sub messages are up to 10 MB, base64 in the push body adds a third: a
  // big order message refused with 413 would be redelivered until it expires.
  const { app, finish } = createBaseApp({ name: "event", logger: runtime.logger, bodyLimit: "14mb" });
  app.post("/", messageHandler(runtime));
  finish();
  return app;
}
