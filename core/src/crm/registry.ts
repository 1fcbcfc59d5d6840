import { z } from "zod";
import { ConfigError, loadConfig } from "../config/env";
import type { CrmConnector } from "../ports/crm-connector";
import { settingsSchema } from "./kit/define-connector";
import * as registered from "./connectors";

/** What the `CRM` setting means when it is not set: the CRM the product first shipped with. */
const defaultCrm = "salesforce";

/** Every CRM this version syncs with, the default first. */
export const connectors: readonly CrmConnector[] = Object.values(registered).sort((a, b) => Number(b.name === defaultCrm) - Number(a.name === defaultCrm));

export function connectorNamed(name: string): CrmConnector | undefined {
  return connectors.find((c) => c.name === name);
}

/** The settings every app reads to pick its CRM connection. */
export const crmSelectionEnv = z.object({
  CRM: z.string().default(connectors[0]!.name),
  CRM_CONNECTION_ID: z
    .string()
    .regex(/^[a-zA-Z0-9-]{1,40}$/, "letters, digits and dashes, at most 40")
    .default("default"),
});

export type CrmSelection = { connector: CrmConnector; connection: string; settings: Record<string, unknown> };

/**
 * The configured connector with its validated settings. An unknown CRM, or a
 * missing or malformed key of the chosen one, stops the app with a message
 * naming the key (never its value).
 */
export function selectCrm(env: Record<string, string | undefined>): CrmSelection {
  const selection = loadConfig(crmSelectionEnv, env);
  const connector = connectorNamed(selection.CRM);
  if (!connector) throw new ConfigError([`CRM: no connector named ${selection.CRM} in this version (use ${connectors.map((c) => c.name).join(", ")})`]);
  const settings = loadConfig(settingsSchema(connector.settings), env);
  return { connector, connection: selection.CRM_CONNECTION_ID, settings };
}
