import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Express } from "express";
import { createCommercetoolsApi, type CommercetoolsApi } from "@ct-crm-sync/core/commercetools/client";
import { commercetoolsEnv, loadConfig } from "@ct-crm-sync/core/config/env";
import { MemoryLogger, createLogger } from "@ct-crm-sync/core/logging/logger";
import { inlineRetryPolicy, jobRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createRuntime, type Runtime } from "@ct-crm-sync/core/runtime";
import { createEventApp } from "../../event/src/app";
import { destinationFrom, ensureSubscription, isSubscribed } from "../../event/src/connector/subscription";
import { createJobApp } from "../../job/src/app";
import { jobEnv } from "../../job/src/config";
import { reconcileEnv } from "@ct-crm-sync/core/sync/rolling-reconcile";
import { serviceEnv } from "../../service/src/config";
import { generateOperatorKeys } from "../../scripts/operator-keys";
import { createServiceApp } from "../../service/src/app";
import { installInbound } from "../../service/src/connector/install";
import { type Emulator, startEmulator } from "../emulator/emulator";
import { startCloseSimulator, type CloseSimulator } from "../simulators/close/server";
import { startSalesforceSimulator, type RunningSalesforceSimulator } from "../simulators/salesforce";
import { simulatedOrganizationId } from "../simulators/salesforce/outbound-messages";
import { startFreshsalesSimulator, type FreshsalesSimulator } from "../simulators/freshsales";
import { crmOneReader, startCrmOneSimulator, type CrmOneSimulator } from "../simulators/crmone";
import { startDynamicsSimulator, type DynamicsSimulator } from "../simulators/dynamics";
import { notificationFor, PubSubRelay } from "./pubsub-relay";
import { seedProjectSetup, seedSandbox, type SeededIds } from "./seed";

/** Default ports of the sandbox (each overridable by environment, see README). */
export const defaultPorts = {
  emulator: 8989,
  salesforce: 8990,
  close: 8991,
  freshsales: 8992,
  dynamics: 8993,
  crmone: 8994,
  event: 8081,
  service: 8082,
  job: 8083,
} as const;
type PortName = keyof typeof defaultPorts;

export type SandboxOptions = {
  crm?: "salesforce" | "close" | "crmone" | "freshsales" | "dynamics";
  /** `fixed` uses the default ports (or their env overrides); `ephemeral` picks free ones (tests). */
  ports?: "fixed" | "ephemeral";
  seed?: boolean;
  /** Issuer the service trusts for MC session tokens (the MC API stand-in in browser tests). */
  mcApiUrl?: string;
  logLevel?: "error" | "warn" | "info" | "debug";
  /** Keep app logs in memory instead of printing them (tests). */
  captureLogs?: boolean;
  /** Puts something between the apps and the emulator (a fault-injecting proxy): answers the URL the apps use instead. */
  commercetoolsUrl?: (emulatorUrl: string) => Promise<string>;
  /** Settings laid over the sandbox's own (e.g. a CRM pace for load runs). */
  env?: Record<string, string>;
  /**
   * Connect's cron stand-in: `POST /` with no body to the job this often (ms).
   * Off unless given: tests post their own runs and a scheduled one would hold the lease.
   */
  scheduleEveryMs?: number;
};

export type Sandbox = {
  crm: "salesforce" | "close" | "crmone" | "freshsales" | "dynamics";
  urls: Record<PortName, string> & { closeApi: string };
  emulator: Emulator;
  salesforce: RunningSalesforceSimulator;
  close: CloseSimulator;
  freshsales: FreshsalesSimulator;
  crmone: CrmOneSimulator;
  dynamics: DynamicsSimulator;
  relay: PubSubRelay;
  api: CommercetoolsApi;
  runtimes: { event: Runtime; service: Runtime; job: Runtime };
  logs?: MemoryLogger;
  seeded?: SeededIds;
  env: Record<string, string>;
  /** Points the relay at another push endpoint (or back at the event app with undefined). */
  setPushUrl(url?: string): void;
  stop(): Promise<void>;
};

function portFor(name: PortName, mode: "fixed" | "ephemeral"): number {
  if (mode === "ephemeral") return 0;
  const override = process.env[`${name.toUpperCase()}_PORT`];
  return override ? Number(override) : defaultPorts[name];
}

function listenOn(app: Express, port: number): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, "127.0.0.1");
    server.once("error", reject);
    server.once("listening", () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${actual}` });
    });
  });
}

/**
 * The whole system on 127.0.0.1 with no credentials: the commercetools
 * emulator, the CRM simulators, the event, service and job apps, and a relay
 * that delivers commercetools messages to the event app as Pub/Sub push would.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const mode = options.ports ?? "fixed";
  const crm = options.crm ?? "salesforce";
  let pushUrl: string | undefined;
  let overridePushUrl: string | undefined;
  const relay = new PubSubRelay(() => overridePushUrl ?? pushUrl);
  let subscribed = false;

  const emulator = await startEmulator({
    port: portFor("emulator", mode),
    onWrite: (write) => {
      if (!subscribed) return;
      const notification = notificationFor(write, emulator.projectKey);
      if (notification && isSubscribed(notification)) relay.publish(notification);
    },
  });
  const salesforce = await startSalesforceSimulator({ port: portFor("salesforce", mode) });
  const close = await startCloseSimulator({ port: portFor("close", mode) });
  const freshsales = await startFreshsalesSimulator({ port: portFor("freshsales", mode) });
  const crmone = await startCrmOneSimulator({ port: portFor("crmone", mode) });
  // Dataverse's creates take milliseconds: concurrent deliveries of one record race as they would there.
  const dynamics = await startDynamicsSimulator({ port: portFor("dynamics", mode), createLatencyMs: 3 });

  const commercetoolsUrl = options.commercetoolsUrl ? await options.commercetoolsUrl(emulator.url) : emulator.url;
  const env: Record<string, string> = {
    CTP_PROJECT_KEY: emulator.projectKey,
    CTP_CLIENT_ID: "sandbox-client",
    CTP_CLIENT_SECRET: "sandbox-secret",
    CTP_AUTH_URL: commercetoolsUrl,
    CTP_API_URL: commercetoolsUrl,
    CTP_SCOPE: `manage_project:${emulator.projectKey}`,
    CRM: crm,
    CRM_CONNECTION_ID: "sandbox",
    SALESFORCE_LOGIN_URL: salesforce.url,
    SALESFORCE_CLIENT_ID: "sandbox-client",
    SALESFORCE_CLIENT_SECRET: "sandbox-secret",
    SALESFORCE_ORGANIZATION_ID: simulatedOrganizationId,
    SALESFORCE_OUTBOUND_SECRET: "sandbox-outbound-secret",
    CLOSE_API_URL: close.url,
    CLOSE_API_KEY: close.apiKey,
    FRESHSALES_API_URL: freshsales.url,
    FRESHSALES_API_KEY: freshsales.apiKey,
    FRESHSALES_HOURLY_BUDGET: "5000",
    FRESHSALES_WEBHOOK_SECRET: "sandbox-webhook-secret",
    FRESHSALES_API_USER_ID: String(freshsales.userId),
    CRMONE_API_URL: crmone.url,
    CRMONE_CLIENT_ID: crmone.clientId,
    CRMONE_CLIENT_SECRET: crmone.clientSecret,
    CRMONE_WEBHOOK_SECRET: "sandbox-webhook-secret",
    CRMONE_USER_ID: crmone.userId,
    // The simulator has no limit; at the production default (5 a second) the seed's burst outlasts a push's deadline and waits for the job.
    CRMONE_REQUESTS_PER_SECOND: "25",
    DYNAMICS_ORG_URL: dynamics.url,
    DYNAMICS_AUTHORITY_URL: dynamics.url,
    DYNAMICS_TENANT_ID: dynamics.tenant,
    DYNAMICS_CLIENT_ID: "sandbox-client",
    DYNAMICS_CLIENT_SECRET: "sandbox-secret",
    DYNAMICS_APPLICATION_USER_ID: dynamics.clients["sandbox-client"]!.userId,
    DYNAMICS_WEBHOOK_KEY: "sandbox-webhook-key",
    LOG_LEVEL: options.logLevel ?? "warn",
    // A period (3.6 ms) shorter than any time between runs: every scheduled run compares the whole (small)
    // population, so a contact deleted in the CRM is back after the next run.
    RECONCILE_PERIOD_HOURS: "0.000001",
    // A cart idle for a minute is abandoned (production: a day), so a scheduled run shows it within the minute after.
    CART_ABANDONED_AFTER_HOURS: String(1 / 60),
    // The service signs operator requests to the job with the private half (secured), the job holds the public one.
    ...generateOperatorKeys(),
    ...options.env,
  };
  const logs = options.captureLogs ? new MemoryLogger() : undefined;
  const runtimeFor = (app: string, retry = inlineRetryPolicy) =>
    createRuntime({
      app,
      retry,
      env,
      logger: logs?.child({ app }) ?? createLogger({ app, level: env.LOG_LEVEL, silent: false }),
    });
  const runtimes = { event: runtimeFor("event"), service: runtimeFor("service"), job: runtimeFor("job", jobRetryPolicy) };

  const servers: Server[] = [];
  const event = await listenOn(createEventApp(runtimes.event), portFor("event", mode));
  servers.push(event.server);
  pushUrl = event.url;
  const job = await listenOn(
    createJobApp(runtimes.job, { operatorKey: loadConfig(jobEnv, env).JOB_VERIFY_KEY, job: { reconcile: loadConfig(reconcileEnv, env) } }),
    portFor("job", mode),
  );
  servers.push(job.server);
  // The service's audience is its own URL, known once it listens: bind first, then mount.
  const servicePort = portFor("service", mode);
  const serviceHolder: { app?: Express } = {};
  const { default: express } = await import("express");
  const serviceShell = express();
  serviceShell.use((req, res, next) => (serviceHolder.app ? serviceHolder.app(req, res, next) : next()));
  const service = await listenOn(serviceShell, servicePort);
  servers.push(service.server);
  serviceHolder.app = createServiceApp(runtimes.service, {
    mcApiUrl: options.mcApiUrl ?? process.env.MC_API_URL ?? "http://127.0.0.1:3002",
    publicUrl: service.url,
    job: { url: job.url, signingKey: loadConfig(serviceEnv.pick({ JOB_SIGNING_KEY: true }), env).JOB_SIGNING_KEY! },
  });
  if (crm === "freshsales") {
    // The admin's set-up in Freshsales (connector README): a workflow per module, the secret header, the JSON template.
    for (const [module, one] of [["contacts", "contact"], ["sales_accounts", "sales_account"], ["deals", "deal"]] as const) {
      const template = `{"module": "${one}", "id": "{{${one}.id}}", "updated_at": "{{${one}.updated_at}}", "updater_id": "{{${one}.updater_id}}"}`;
      freshsales.addWorkflow({ module, url: `${service.url}/webhooks/freshsales`, headers: { "x-ct-crm-sync-secret": env.FRESHSALES_WEBHOOK_SECRET! }, template });
    }
  }
  if (crm === "crmone") {
    // The admin's set-up in the instance: a webhook per model to the service, the shared secret in the URL.
    const admin = crmOneReader(crmone.url, crmone);
    for (const model of ["Contact", "Account"]) await admin.subscribe(model, `${service.url}/webhooks/crmone?model=${model}&secret=${env.CRMONE_WEBHOOK_SECRET}`);
  }

  if (crm === "dynamics") {
    // The admin's set-up (Plugin Registration Tool): a webhook with the WebhookKey, asynchronous post-operation steps on contact, account and opportunity.
    for (const entity of ["contact", "account", "opportunity"]) {
      dynamics.webhooks.register({ url: `${service.url}/webhooks/dynamics`, entity, messages: ["Create", "Update", "Delete"], auth: { kind: "WebhookKey", key: env.DYNAMICS_WEBHOOK_KEY! } });
    }
  }

  if (crm === "salesforce") {
    // The admin's set-up in the org (connector README): an Outbound Message per object to the service, the shared
    // secret in the URL; the Contact rule fires on edits of the fields a salesperson changes, not on every write.
    const endpointUrl = `${service.url}/webhooks/salesforce?secret=${env.SALESFORCE_OUTBOUND_SECRET}`;
    const contactFields = ["CT_Follow_Up__c", "CT_Segments__c", "FirstName", "LastName", "Email", "HasOptedOutOfEmail"];
    salesforce.outboundMessages.define([
      { object: "Contact", endpointUrl, fields: ["SystemModstamp"], whenChanged: contactFields },
      ...["Account", "Opportunity"].map((object) => ({ object, endpointUrl, fields: ["SystemModstamp"] })),
    ]);
  }

  const api = createCommercetoolsApi(loadConfig(commercetoolsEnv, env));
  await ensureSubscription(api, destinationFrom({ CONNECT_PROVIDER: "GCP", CONNECT_GCP_PROJECT_ID: "sandbox", CONNECT_GCP_TOPIC_NAME: "ct-crm-sync" }));
  subscribed = true;
  await runtimes.event.crm.ensureSchema({ correlationId: "sandbox-setup" });

  // Connect's cron: a bodiless POST on the schedule; a run still going (or one holding the lease) just answers 409.
  let scheduled: Promise<unknown> | undefined;
  const schedule =
    options.scheduleEveryMs === undefined
      ? undefined
      : setInterval(() => {
          scheduled ??= fetch(job.url, { method: "POST" })
            .then((response) => response.body?.cancel())
            .catch(() => undefined)
            .finally(() => (scheduled = undefined));
        }, options.scheduleEveryMs);

  const sandbox: Sandbox = {
    crm,
    urls: {
      emulator: emulator.url,
      salesforce: salesforce.url,
      close: close.origin,
      closeApi: close.url,
      freshsales: freshsales.url,
      crmone: crmone.url,
      dynamics: dynamics.url,
      event: event.url,
      service: service.url,
      job: job.url,
    },
    emulator,
    salesforce,
    close,
    freshsales,
    crmone,
    dynamics,
    relay,
    api,
    runtimes,
    logs,
    env,
    setPushUrl: (url) => {
      overridePushUrl = url;
    },
    stop: async () => {
      clearInterval(schedule);
      await scheduled;
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
      await Promise.all([salesforce.close(), close.close(), freshsales.close(), crmone.close(), dynamics.close(), emulator.close()]);
    },
  };

  if (options.seed) {
    await seedProjectSetup(api);
    sandbox.seeded = await seedSandbox(api, { emulator, settled: () => relay.drained() });
    await relay.drained();
  }
  // The service's postDeploy, once the merchant's project exists: the custom fields CRM changes set (on the type its
  // customers carry), and the CRM's webhook subscription where the CRM has an API for it (Close).
  await installInbound(runtimes.service, service.url);
  return sandbox;
}
