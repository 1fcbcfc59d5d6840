import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connectors } from "@ct-crm-sync/core/crm/registry";
import type { ConformanceTarget } from "../target";

/**
 * One target per registered connector, from `./<connector name>.ts` (its
 * `target` export): a connector without one fails the suite by name.
 */
export const conformanceTargets: ConformanceTarget[] = await Promise.all(
  connectors.map(async (connector) => {
    const file = new URL(`./${connector.name}.ts`, import.meta.url);
    if (!existsSync(fileURLToPath(file))) throw new Error(`connector ${connector.name} has no conformance target: add test/conformance/targets/${connector.name}.ts`);
    const { target } = (await import(file.href)) as { target?: ConformanceTarget };
    if (!target) throw new Error(`test/conformance/targets/${connector.name}.ts exports no \`target\``);
    return target;
  }),
);
