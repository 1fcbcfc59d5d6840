import type { Runtime } from "@ct-crm-sync/core/runtime";
import { createBaseApp } from "@ct-crm-sync/core/http/base-app";
import { messageHandler } from "./message-handler";

/** The event app: Connect pushes every Subscription message to `POST /`. */
export function createEventApp(runtime: Runtime) {
  const { app, finish } = createBaseApp({ name: "event", logger: runtime.logger, bodyLimit: "512kb" });
  app.post("/", messageHandler(runtime));
  finish();
  return app;
}
