import { startApp } from "@ct-crm-sync/core/http/start";
import { jobRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createJobApp } from "./app";

startApp({ name: "job", retry: jobRetryPolicy, create: createJobApp });
