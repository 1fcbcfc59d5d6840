import { z } from "zod";
import { failuresApi } from "./failures";
import { logApi } from "./log";
import { mappingsApi } from "./mappings";
import { operationsApi } from "./operations";
import { reconciliationApi } from "./reconciliation";
import { statusApi } from "./status";

/**
 * The service API's contract (docs/service-api.md): every route's request and
 * answer schemas, shared by the service (which registers and parses its routes
 * from them) and the Merchant Center app (which calls and parses through them).
 * The app compiles this folder into its bundle, so it imports only zod and
 * core/src/domain: nothing node-only, nothing that names a CRM.
 */
export const serviceApi = {
  status: statusApi,
  failures: failuresApi,
  log: logApi,
  mappings: mappingsApi,
  reconciliation: reconciliationApi,
  operations: operationsApi,
};

/** Every 4xx/5xx: what was wrong, never a stack. */
export const errorAnswerSchema = z.object({ error: z.string() });

export { errorClasses, type ErrorClass } from "../domain/errors";
export { failureSchema, failureStates, type Failure, type FailureState } from "../domain/failure";
export * from "./failures";
export * from "./log";
export * from "./mappings";
export * from "./operations";
export * from "./reconciliation";
export * from "./route";
export * from "./status";
