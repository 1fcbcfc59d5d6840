import type { Customer } from "@commercetools/platform-sdk";
import { carriedResource, type Processor } from "./processor";

/** CustomerCreated, every customer update message, and customer change notifications. */
export const customerProcessor: Processor = {
  typeId: "customer",
  process: (notification, sync, ctx) =>
    sync.syncCustomer(notification.resource.id, ctx, carriedResource<Customer>(notification, "customer")),
};
