import { z } from "zod";
import type { Clock } from "../../ports/clock";
import type { ConnectorSetting, CrmConnection, CrmConnector } from "../../ports/crm-connector";
import type { Logger } from "../../ports/logger";

type Settings = Record<string, ConnectorSetting>;
export type SettingValues<S extends Settings> = { [K in keyof S]: z.infer<S[K]["schema"]> };

/** The zod object that validates a connector's settings (start-up refuses what it refuses, naming the key). */
export function settingsSchema<S extends Settings>(settings: S): z.ZodObject<{ [K in keyof S]: S[K]["schema"] }> {
  return z.object(Object.fromEntries(Object.entries(settings).map(([key, s]) => [key, s.schema])) as { [K in keyof S]: S[K]["schema"] });
}

/** A connector whose `connect` receives its own settings, typed from their schemas. */
export function defineConnector<S extends Settings>(
  connector: Omit<CrmConnector, "settings" | "connect"> & {
    settings: S;
    connect(settings: SettingValues<S>, deps: { logger: Logger; clock: Clock }): CrmConnection;
  },
): CrmConnector {
  return {
    ...connector,
    connect: (values, deps) => connector.connect(settingsSchema(connector.settings).parse(values) as SettingValues<S>, deps),
  };
}
