import type { Processor } from "./processor";

/** CustomerCreated, every customer update message, and customer change notifications. */
export const customerProcessor: Processor = {
  typeId: "customer",
  process: (id, sync, ctx) => sync.syncCustomer(id, ctx),
};
