import { commercetoolsEnv, crmEnv, loadConfig, runtimeEnv } from "./config/env";
import { createCommercetoolsApi, type CommercetoolsApi } from "./commercetools/client";
import { CommercetoolsReader } from "./commercetools/commerce-reader";
import { CustomObjectStore } from "./commercetools/custom-object-store";
import { createCrmAdapter } from "./crm/registry";
import { createLogger } from "./logging/logger";
import { systemClock, type Clock } from "./ports/clock";
import type { CrmAdapter } from "./ports/crm-adapter";
import type { Logger } from "./ports/logger";
import { limitAdapter } from "./reliability/limited-adapter";
import type { RetryPolicy } from "./reliability/retry";
import { FailureStore } from "./state/failure-store";
import { LinkStore } from "./state/link-store";
import { MappingStore } from "./state/mapping-store";
import { SyncLog } from "./state/sync-log";
import { SyncModel } from "./sync/sync-model";
import { SyncService } from "./sync/sync-service";

export type Runtime = {
  logger: Logger;
  clock: Clock;
  api: CommercetoolsApi;
  store: CustomObjectStore;
  crm: CrmAdapter;
  connection: string;
  links: LinkStore;
  failures: FailureStore;
  log: SyncLog;
  sync: SyncService;
  /** The versioned mapping configuration of this connection (crm-sync-config). */
  mappings: MappingStore;
  config: { port: number; projectKey: string };
};

/**
 * Wires ports to adapters from validated configuration. Every app builds its
 * runtime here, so all of them talk to commercetools and the CRM the same way.
 */
export function createRuntime(options: {
  app: string;
  retry: RetryPolicy;
  env?: Record<string, string | undefined>;
  crm?: CrmAdapter;
  clock?: Clock;
  logger?: Logger;
}): Runtime {
  const env = options.env ?? process.env;
  const ct = loadConfig(commercetoolsEnv, env);
  const crmConfig = loadConfig(crmEnv, env);
  const runtime = loadConfig(runtimeEnv, env);
  const logger = options.logger ?? createLogger({ app: options.app, level: runtime.LOG_LEVEL });
  const clock = options.clock ?? systemClock;
  const api = createCommercetoolsApi(ct);
  const store = new CustomObjectStore(api);
  const crm = options.crm ?? limitAdapter(createCrmAdapter(crmConfig));
  const connection = crmConfig.CRM_CONNECTION_ID;
  const links = new LinkStore(store, connection);
  const failures = new FailureStore(store, () => clock.now());
  const log = new SyncLog(store, () => clock.now());
  const mappings = new MappingStore(store, connection, crm.name, () => clock.now());
  const sync = new SyncService({
    connection,
    crm,
    links,
    failures,
    clock,
    retry: options.retry,
    logger,
    commerce: new CommercetoolsReader(api),
    model: new SyncModel(() => mappings.config(), connection, logger),
  });
  return {
    logger,
    clock,
    api,
    store,
    crm,
    connection,
    links,
    failures,
    log,
    sync,
    mappings,
    config: { port: runtime.PORT, projectKey: ct.CTP_PROJECT_KEY },
  };
}
