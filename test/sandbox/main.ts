import { sandboxProjectKey } from "../emulator/emulator";
import { mcAppIsBuilt, startMcAppStack } from "../mc/mc-app-server";
import { startMcStandIn } from "../mc/mc-api-stand-in";
import { ensurePortsFree, portTakenMessage, sandboxPortUses, type PortUse } from "./ports";
import { defaultPorts, startSandbox } from "./sandbox";
import { seedFailure } from "./seed";

/**
 * `npm start`: the whole system on 127.0.0.1 with embedded defaults, and the
 * Merchant Center app served against a stand-in for the MC API (login is
 * automatic, with the View and Manage permissions).
 * CRM=close, CRM=crmone, CRM=dynamics or CRM=freshsales selects that simulator as the synced CRM (default: salesforce).
 */
const crm = (process.env.CRM ?? "salesforce") as "salesforce" | "close" | "crmone" | "freshsales" | "dynamics";
if (crm !== "salesforce" && crm !== "close" && crm !== "crmone" && crm !== "freshsales" && crm !== "dynamics") {
  console.error(`CRM=${crm}: the sandbox runs salesforce, close, crmone, dynamics or freshsales`);
  process.exit(1);
}
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

// Every port is checked before anything starts or seeds: a taken one names its component and the variable to change.
const ports: PortUse[] = [
  ...sandboxPortUses(defaultPorts, process.env, { emulator: "commercetools emulator", event: "event app", service: "service app", job: "job app" }),
  { component: "Merchant Center app", variable: "MC_APP_PORT", port: port("MC_APP_PORT", 3001) },
  { component: "MC API stand-in", variable: "MC_API_PORT", port: port("MC_API_PORT", 3002) },
];
const stopOnTakenPort = (error: unknown) => {
  const message = portTakenMessage(error, ports);
  if (!message) throw error;
  console.error(message);
  process.exit(1);
};
// A port taken between the check and the listen fails the same way.
process.on("unhandledRejection", stopOnTakenPort);
await ensurePortsFree(ports).catch(stopOnTakenPort);

// The service trusts the stand-in as the session issuer, so the stand-in starts first.
const mcApi = await startMcStandIn({ projectKey: sandboxProjectKey, port: port("MC_API_PORT", 3002) });
// Connect's cron stand-in: the job's scheduled run (no body) every few seconds; SANDBOX_SCHEDULE_SECONDS=0 turns it off.
const scheduleSeconds = Number(process.env.SANDBOX_SCHEDULE_SECONDS ?? 5);
const sandbox = await startSandbox({
  crm,
  seed: true,
  mcApiUrl: mcApi.url,
  logLevel: (process.env.LOG_LEVEL as "info") ?? "warn",
  ...(scheduleSeconds > 0 ? { scheduleEveryMs: scheduleSeconds * 1000 } : {}),
});
// A failed record to look at and replay (the seed has drained, so the injected refusal hits this customer's write).
const failedCustomer = crm === "salesforce" ? await seedFailure(sandbox.api, sandbox.salesforce.faults) : undefined;
await sandbox.relay.drained();

if (!mcAppIsBuilt()) console.log("Building the Merchant Center app (mc-app/public), once; this takes a minute or two…");
const mcApp = await startMcAppStack({
  mcApi,
  serviceUrl: sandbox.urls.service,
  ctpApiUrl: sandbox.urls.emulator,
  projectKey: sandbox.emulator.projectKey,
  appPort: port("MC_APP_PORT", 3001),
});

const rows: [string, string][] = [
  ["commercetools emulator", `${sandbox.urls.emulator}  (project key: ${sandbox.emulator.projectKey})`],
  ["Salesforce simulator", sandbox.urls.salesforce],
  ["Close simulator", sandbox.urls.closeApi],
  ["Freshsales simulator", sandbox.urls.freshsales],
  ["CRM One simulator", sandbox.urls.crmone],
  ["Dynamics 365 simulator", `${sandbox.urls.dynamics}  (Web API ${sandbox.urls.dynamics}/api/data/v9.2)`],
  ["event app (Pub/Sub push)", sandbox.urls.event],
  ["service app (MC API)", `${sandbox.urls.service}/api`],
  ["job app (POST / runs it)", sandbox.urls.job],
  ["Merchant Center app", mcApp.entryUrl],
  ["MC API stand-in", mcApi.url],
];
console.log(`\nct-crm-sync sandbox is running, syncing into ${crm}:\n`);
for (const [name, url] of rows) console.log(`  ${name.padEnd(28)} ${url}`);
console.log(`\nSeeded: ${Object.keys(sandbox.seeded?.customers ?? {}).length} customers, ${Object.keys(sandbox.seeded?.businessUnits ?? {}).length} business units, ${Object.keys(sandbox.seeded?.orders ?? {}).length} orders; ${sandbox.relay.stats.delivered} messages delivered.`);
if (failedCustomer) console.log(`One failed record waits on the MC app's failures page: customer ${failedCustomer}, refused once by Salesforce; replay it there.`);
console.log("Create a customer or an order in the emulator and it appears in the CRM simulator within seconds. Ctrl-C stops.\n");

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping sandbox…");
  await mcApp.close();
  await sandbox.stop();
  await mcApi.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
