import { businessUnitProcessor } from "./business-unit";
import { customerProcessor } from "./customer";
import { orderProcessor } from "./order";
import type { Processor } from "./processor";

/** One processor per resource type; anything else is acknowledged and logged as ignored. */
export const processors: ReadonlyMap<string, Processor> = new Map(
  [customerProcessor, orderProcessor, businessUnitProcessor].map((p) => [p.typeId, p]),
);
