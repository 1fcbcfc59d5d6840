import { commercetoolsEnv, loadConfig, runtimeEnv } from "./config/env";
import { createCommercetoolsApi, type CommercetoolsApi } from "./commercetools/client";
import { CommercetoolsReader } from "./commercetools/commerce-reader";
import { CustomObjectStore } from "./commercetools/custom-object-store";
import { selectCrm } from "./crm/registry";
import { createLogger } from "./logging/logger";
import { systemClock, type Clock } from "./ports/clock";
import type { CommerceWriter, PagingReader } from "./ports/commerce";
import type { CrmConnection, CrmConnector } from "./ports/crm-connector";
import type { CrmInbound } from "./ports/crm-inbound";
import type { CrmAdapter } from "./ports/crm-outbound";
import type { Logger } from "./ports/logger";
import type { RetryPolicy } from "./reliability/retry";
import { FailureStore } from "./state/failure-store";
import { JobStateStore } from "./state/job-state";
import { LinkStore } from "./state/link-store";
import { MappingStore } from "./state/mapping-store";
import { ReconciliationStore } from "./state/reconciliation-store";
import { SyncLog } from "./state/sync-log";
import { cartEnv, cartSettingsFrom } from "./sync/cart-settings";
import { SyncModel } from "./sync/sync-model";
import { SyncService } from "./sync/sync-service";

export type Runtime = {
  logger: Logger;
  clock: Clock;
  api: CommercetoolsApi;
  store: CustomObjectStore;
  /** The configured CRM's connector: its name, label, mapping target rule and preview. */
  connector: CrmConnector;
  /** Outbound side of the connection (commercetools → CRM). */
  crm: CrmAdapter;
  /** Inbound side of the connection (CRM → commercetools). */
  inbound: CrmInbound;
  connection: string;
  /** commercetools reads (keyset pages for the job) and the writes that come from the CRM. */
  commerce: PagingReader & CommerceWriter;
  links: LinkStore;
  failures: FailureStore;
  log: SyncLog;
  jobState: JobStateStore;
  reconciliations: ReconciliationStore;
  sync: SyncService;
  /** The versioned mapping configuration of this connection (crm-sync-config). */
  mappings: MappingStore;
  config: { port: number; projectKey: string };
};

/**
 * Wires ports to adapters from validated configuration. Every app builds its
 * runtime here, so all of them talk to commercetools and the CRM the same way.
 * `crm` replaces the connector's outbound side (tests that count or fault CRM calls).
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
  const selection = selectCrm(env);
  const runtime = loadConfig(runtimeEnv, env);
  const logger = options.logger ?? createLogger({ app: options.app, level: runtime.LOG_LEVEL });
  const clock = options.clock ?? systemClock;
  const api = createCommercetoolsApi(ct);
  const store = new CustomObjectStore(api);
  const crmConnection: CrmConnection = selection.connector.connect(selection.settings, { logger, clock });
  const crm = options.crm ?? crmConnection.outbound;
  const { connection, connector } = selection;
  const commerce = new CommercetoolsReader(api);
  const links = new LinkStore(store, connection);
  const failures = new FailureStore(store, () => clock.now());
  const log = new SyncLog(store, () => clock.now());
  const mappings = new MappingStore(store, connection, connector.defaultMapping, () => clock.now());
  const sync = new SyncService({
    connection,
    crm,
    links,
    failures,
    clock,
    retry: options.retry,
    logger,
    commerce,
    model: new SyncModel(() => mappings.config(), connection, logger),
    carts: cartSettingsFrom(loadConfig(cartEnv, env)),
  });
  return {
    logger,
    clock,
    api,
    store,
    connector,
    crm,
    inbound: crmConnection.inbound,
    connection,
    commerce,
    links,
    failures,
    log,
    jobState: new JobStateStore(store, connection),
    reconciliations: new ReconciliationStore(store, connection),
    sync,
    mappings,
    config: { port: runtime.PORT, projectKey: ct.CTP_PROJECT_KEY },
  };
}
