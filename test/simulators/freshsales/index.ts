export {
  startFreshsalesSimulator,
  bundleBasePath,
  legacyBasePath,
  defaultFreshsalesApiKey,
  salesApiKey,
  type FreshsalesSimulator,
  type FreshsalesSimulatorOptions,
  type RecordedRequest,
} from "./server";
export { renderTemplate, type WorkflowSpec, type WorkflowDelivery } from "./workflows";
export type { BudgetSpec } from "./limits";
