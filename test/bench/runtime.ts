import { closeLimits } from "@ct-crm-sync/core/crm/close/connector";
import { selectCrm } from "@ct-crm-sync/core/crm/registry";
import { createLogger } from "@ct-crm-sync/core/logging/logger";
import type { Logger } from "@ct-crm-sync/core/ports/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import type { RetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createRuntime, type Runtime } from "@ct-crm-sync/core/runtime";
import type { BackendUrls } from "./backends";

export type BenchCrm = "salesforce" | "close";

/**
 * A Close connection paces its requests to `CLOSE_REQUESTS_PER_SECOND`
 * (production default `closeLimits.requestsPerSecond`, well under Close's
 * published limits). Against the simulator, which we configure, the bench
 * raises it; the results say which rate was used.
 */
export const benchCloseRequestsPerSecond = Number(process.env.BENCH_CLOSE_RPS ?? closeLimits.requestsPerSecond * 20);

/** Called with the people a CRM write call has just stored (the moment they are in the CRM). */
export type OnPeopleWritten = (sourceIds: string[]) => void;

/** The configured connection's outbound side, telling `onWritten` what each people write stored. */
function observedOutbound(env: Record<string, string>, logger: Logger, onWritten: OnPeopleWritten): CrmAdapter {
  const { connector, settings } = selectCrm(env);
  const adapter = connector.connect(settings, { logger, clock: systemClock }).outbound;
  return {
    ...adapter,
    upsertPeople: async (records, ctx) => {
      const outcomes = await adapter.upsertPeople(records, ctx);
      onWritten(outcomes.filter((o) => o.ok).map((o) => o.sourceId));
      return outcomes;
    },
  };
}

export type BenchRuntimeOptions = {
  /** Overrides the connection's pace (requests a second); the connector's own default when absent. */
  requestsPerSecond?: number;
  onPeopleWritten?: OnPeopleWritten;
};

/** A runtime as the apps build it (createRuntime: the connector paces its own requests), pointed at the backends process. */
export function benchRuntime(urls: BackendUrls, crm: BenchCrm, app: string, retry: RetryPolicy, options: BenchRuntimeOptions = {}): Runtime {
  const env: Record<string, string> = {
    CTP_PROJECT_KEY: "sandbox",
    CTP_CLIENT_ID: "bench-client",
    CTP_CLIENT_SECRET: "bench-secret",
    CTP_AUTH_URL: urls.emulator,
    CTP_API_URL: urls.emulator,
    CTP_SCOPE: "manage_project:sandbox",
    CRM: crm,
    CRM_CONNECTION_ID: "bench",
    SALESFORCE_LOGIN_URL: urls.salesforce,
    SALESFORCE_CLIENT_ID: "sandbox-client",
    SALESFORCE_CLIENT_SECRET: "sandbox-secret",
    CLOSE_API_URL: urls.closeApi,
    CLOSE_API_KEY: urls.closeApiKey,
    // Each connection paces its own requests: a raised rate goes to the chosen CRM's setting.
    ...(crm === "close" && options.requestsPerSecond !== undefined ? { CLOSE_REQUESTS_PER_SECOND: String(options.requestsPerSecond) } : {}),
    ...(crm === "salesforce" && options.requestsPerSecond !== undefined ? { SALESFORCE_REQUESTS_PER_SECOND: String(options.requestsPerSecond) } : {}),
    LOG_LEVEL: "warn",
  };
  const logger = createLogger({ app, level: "warn" });
  const crmOverride = options.onPeopleWritten ? { crm: observedOutbound(env, logger, options.onPeopleWritten) } : {};
  return createRuntime({ app, retry, env, logger, ...crmOverride });
}

export const crmUrl = (urls: BackendUrls, crm: BenchCrm) => (crm === "salesforce" ? urls.salesforce : urls.closeApi);
