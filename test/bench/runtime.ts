import { crmEnv, loadConfig } from "@ct-crm-sync/core/config/env";
import { closeLimits } from "@ct-crm-sync/core/crm/close/connector";
import { createCrmAdapter } from "@ct-crm-sync/core/crm/registry";
import { createLogger } from "@ct-crm-sync/core/logging/logger";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { limitAdapter } from "@ct-crm-sync/core/reliability/limited-adapter";
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

/** The adapter with another declared pace for limitAdapter (CRM calls a second). */
function withPacing(adapter: CrmAdapter, requestsPerSecond: number): CrmAdapter {
  return { ...adapter, limits: { ...adapter.limits, requestsPerSecond } };
}

/** Called with the people a CRM write call has just stored (the moment they are in the CRM). */
export type OnPeopleWritten = (sourceIds: string[]) => void;

function observePeopleWrites(adapter: CrmAdapter, onWritten: OnPeopleWritten): CrmAdapter {
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
  /** Overrides the adapter's declared pacing (CRM calls a second); the adapter's own limit when absent. */
  requestsPerSecond?: number;
  onPeopleWritten?: OnPeopleWritten;
};

/** A runtime as the apps build it (createRuntime: the adapter behind limitAdapter), pointed at the backends process. */
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
    // Close paces its own requests: a raised rate goes to its connection's setting.
    ...(crm === "close" && options.requestsPerSecond !== undefined ? { CLOSE_REQUESTS_PER_SECOND: String(options.requestsPerSecond) } : {}),
    LOG_LEVEL: "warn",
  };
  const rate = options.requestsPerSecond;
  const adapter = limitAdapter(
    rate === undefined || crm === "close" ? createCrmAdapter(loadConfig(crmEnv, env)) : withPacing(createCrmAdapter(loadConfig(crmEnv, env)), rate),
  );
  return createRuntime({
    app,
    retry,
    env,
    logger: createLogger({ app, level: "warn" }),
    crm: options.onPeopleWritten ? observePeopleWrites(adapter, options.onPeopleWritten) : adapter,
  });
}

export const crmUrl = (urls: BackendUrls, crm: BenchCrm) => (crm === "salesforce" ? urls.salesforce : urls.closeApi);
