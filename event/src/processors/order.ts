import type { Order } from "@commercetools/platform-sdk";
import { carriedResource, type Processor } from "./processor";

/** OrderCreated/Imported, order, payment and shipment state changes, returns: all re-read the order. */
export const orderProcessor: Processor = {
  typeId: "order",
  process: (notification, sync, ctx) =>
    sync.syncOrder(notification.resource.id, ctx, carriedResource<Order>(notification, "order")),
};
