import type { CrmName } from "@ct-crm-sync/core/ports/crm-adapter";
import { startSandbox } from "./sandbox";

/**
 * `npm start`: the whole system on 127.0.0.1 with embedded defaults.
 * CRM=close selects the Close simulator as the synced CRM (default: salesforce).
 */
const crm = (process.env.CRM ?? "salesforce") as CrmName;
if (crm !== "salesforce" && crm !== "close") {
  console.error(`CRM=${crm}: the sandbox runs salesforce or close`);
  process.exit(1);
}

const sandbox = await startSandbox({ crm, seed: true, logLevel: (process.env.LOG_LEVEL as "info") ?? "warn" });
const rows: [string, string][] = [
  ["commercetools emulator", `${sandbox.urls.emulator}  (project key: ${sandbox.emulator.projectKey})`],
  ["Salesforce simulator", sandbox.urls.salesforce],
  ["Close simulator", sandbox.urls.closeApi],
  ["event app (Pub/Sub push)", sandbox.urls.event],
  ["service app (MC API)", `${sandbox.urls.service}/api`],
  ["job app (POST / runs it)", sandbox.urls.job],
];
console.log(`\nct-crm-sync sandbox is running, syncing into ${crm}:\n`);
for (const [name, url] of rows) console.log(`  ${name.padEnd(28)} ${url}`);
console.log(`\nSeeded: ${Object.keys(sandbox.seeded?.customers ?? {}).length} customers, ${Object.keys(sandbox.seeded?.businessUnits ?? {}).length} business units, ${Object.keys(sandbox.seeded?.orders ?? {}).length} orders; ${sandbox.relay.stats.delivered} messages delivered.`);
console.log("Create a customer or an order in the emulator and it appears in the CRM simulator within seconds. Ctrl-C stops.\n");

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping sandbox…");
  await sandbox.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
