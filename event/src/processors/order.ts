import type { Processor } from "./processor";

/** OrderCreated/Imported, order, payment and shipment state changes, returns: all re-read the order. */
export const orderProcessor: Processor = {
  typeId: "order",
  process: (id, sync, ctx) => sync.syncOrder(id, ctx),
};
