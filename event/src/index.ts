import { inlineRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { startApp } from "@ct-crm-sync/core/http/start";
import { createEventApp } from "./app";

startApp({ name: "event", retry: inlineRetryPolicy, create: createEventApp });
