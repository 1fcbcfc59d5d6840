import type { BusinessUnit } from "@commercetools/platform-sdk";
import { carriedResource, type Processor } from "./processor";

/** Business unit messages: the company and its associates. */
export const businessUnitProcessor: Processor = {
  typeId: "business-unit",
  process: (notification, sync, ctx) =>
    sync.syncBusinessUnit(notification.resource.id, ctx, carriedResource<BusinessUnit>(notification, "businessUnit")),
};
