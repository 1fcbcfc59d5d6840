import type { Processor } from "./processor";

/** Business unit messages: the company and its associates. */
export const businessUnitProcessor: Processor = {
  typeId: "business-unit",
  process: (id, sync, ctx) => sync.syncBusinessUnit(id, ctx),
};
