export { createCloseAdapter, closeLimits, type CloseAdapterOptions } from "./adapter";
export { leadFields, contactFields, orderFields, orderActivityTypeName } from "./field-names";
