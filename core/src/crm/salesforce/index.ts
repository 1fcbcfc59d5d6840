export { createSalesforceAdapter, salesforceLimits, type SalesforceAdapter, type SalesforceAdapterConfig } from "./adapter";
export { bulkThreshold } from "./bulk";
