export { startCrmOneSimulator, crmOneBasePath, integrationUserId, salesperson, type CrmOneSimulator, type CrmOneSimulatorOptions } from "./server";
export { connectorSetup, standardModels, type InstanceSetup } from "./models";
export { crmOneReader, type CrmOneReader } from "./reader";
export type { Exchange } from "./recorder";
