import { closeLimits } from "@ct-crm-sync/core/crm/close/connector";
import { crmOneLimits } from "@ct-crm-sync/core/crm/crmone/connector";
import { freshsalesLimits } from "@ct-crm-sync/core/crm/freshsales/connector";
import { selectCrm } from "@ct-crm-sync/core/crm/registry";
import { createLogger } from "@ct-crm-sync/core/logging/logger";
import type { Logger } from "@ct-crm-sync/core/ports/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import type { RetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createRuntime, type Runtime } from "@ct-crm-sync/core/runtime";
import type { BackendUrls } from "./backends";

export type BenchCrm = "salesforce" | "close" | "freshsales" | "dynamics" | "crmone";

/**
 * A Close connection paces its requests to `CLOSE_REQUESTS_PER_SECOND`
 * (production default `closeLimits.requestsPerSecond`, well under Close's
 * published limits). Against the simulator, which we configure, the bench
 * raises it; the results say which rate was used.
 */
export const benchCloseRequestsPerSecond = Number(process.env.BENCH_CLOSE_RPS ?? closeLimits.requestsPerSecond * 20);

/**
 * Freshsales allows 1,000 to 5,000 calls an hour: against the simulator the
 * bench does not wait the hours out. The connection gets an allowance no run
 * reaches and a raised pace; the results count the calls and say how long
 * each plan's allowance takes to spend them.
 */
export const benchFreshsalesRequestsPerSecond = Number(process.env.BENCH_FRESHSALES_RPS ?? freshsalesLimits.requestsPerSecond * 50);
const benchFreshsalesHourlyBudget = 1_000_000_000;

/**
 * CRM One paces to `CRMONE_REQUESTS_PER_SECOND` (production default
 * `crmOneLimits.requestsPerSecond`: 1CRM publishes no limit, so it is
 * conservative). Against the simulator the bench raises it; the results say
 * which rate was used and the calls a backfill takes at the production pace.
 */
export const benchCrmOneRequestsPerSecond = Number(process.env.BENCH_CRMONE_RPS ?? crmOneLimits.requestsPerSecond * 100);

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
    FRESHSALES_API_URL: urls.freshsalesApi,
    FRESHSALES_API_KEY: urls.freshsalesApiKey,
    FRESHSALES_HOURLY_BUDGET: String(benchFreshsalesHourlyBudget),
    DYNAMICS_ORG_URL: urls.dynamics,
    DYNAMICS_AUTHORITY_URL: urls.dynamics,
    DYNAMICS_TENANT_ID: "sandbox",
    DYNAMICS_CLIENT_ID: "sandbox-client",
    DYNAMICS_CLIENT_SECRET: "sandbox-secret",
    CRMONE_API_URL: urls.crmoneApi,
    CRMONE_CLIENT_ID: "sandbox-client",
    CRMONE_CLIENT_SECRET: "sandbox-secret",
    // Each connection paces its own requests: a raised rate goes to the chosen CRM's setting.
    ...(crm === "close" && options.requestsPerSecond !== undefined ? { CLOSE_REQUESTS_PER_SECOND: String(options.requestsPerSecond) } : {}),
    ...(crm === "salesforce" && options.requestsPerSecond !== undefined ? { SALESFORCE_REQUESTS_PER_SECOND: String(options.requestsPerSecond) } : {}),
    ...(crm === "freshsales" && options.requestsPerSecond !== undefined ? { FRESHSALES_REQUESTS_PER_SECOND: String(options.requestsPerSecond) } : {}),
    ...(crm === "crmone" && options.requestsPerSecond !== undefined ? { CRMONE_REQUESTS_PER_SECOND: String(options.requestsPerSecond) } : {}),
    LOG_LEVEL: "warn",
  };
  const logger = createLogger({ app, level: "warn" });
  const crmOverride = options.onPeopleWritten ? { crm: observedOutbound(env, logger, options.onPeopleWritten) } : {};
  return createRuntime({ app, retry, env, logger, ...crmOverride });
}

export const crmUrl = (urls: BackendUrls, crm: BenchCrm) => ({ salesforce: urls.salesforce, close: urls.closeApi, freshsales: urls.freshsalesApi, dynamics: urls.dynamics, crmone: urls.crmoneApi })[crm];
