/**
 * The systems our code talks to, in their own process for the benchmark: the
 * commercetools emulator and the Salesforce, Close, Freshsales and Dynamics 365 simulators on ephemeral
 * 127.0.0.1 ports, so the bench process's memory and CPU are our code's alone.
 *
 * Prints one JSON line `{"urls": …}` on stdout when ready, then answers a
 * control API on `urls.control`:
 *   POST /seed  {customers, ordersPerCustomer}  customers (and orders) straight into the emulator's storage
 *   POST /crm/fresh                             empty CRM simulators on new ports (answers the new URLs)
 *   POST /relay {pushUrl?}                      every later customer/order/business-unit write becomes a
 *                                               Pub/Sub push to pushUrl (as in the sandbox); none when omitted
 *   GET  /stats                                 this process's memory, CPU time so far and the relay's counters
 *   POST /stop                                  closes every server and exits
 * It also exits when its stdin closes, so a bench that dies leaves nothing listening.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { z } from "zod";
import { subscribedMessages } from "../../event/src/connector/subscription";
import { startEmulator } from "../emulator/emulator";
import { startCloseSimulator, type CloseSimulator } from "../simulators/close/server";
import { startCrmOneSimulator, type CrmOneSimulator } from "../simulators/crmone";
import { startDynamicsSimulator, type DynamicsSimulator } from "../simulators/dynamics";
import { startFreshsalesSimulator, type FreshsalesSimulator } from "../simulators/freshsales";
import { startSalesforceSimulator, type RunningSalesforceSimulator } from "../simulators/salesforce";
import { notificationFor, PubSubRelay } from "../sandbox/pubsub-relay";
import { seedCustomers } from "./seed-data";

export type BackendUrls = { control: string; emulator: string; salesforce: string; closeApi: string; closeApiKey: string; freshsalesApi: string; freshsalesApiKey: string; dynamics: string; crmoneApi: string };

let pushUrl: string | undefined;
const relay = new PubSubRelay(() => pushUrl);
const typeIds = new Set(subscribedMessages.map((m) => m.resourceTypeId));

const emulator = await startEmulator({
  onWrite: (write) => {
    if (!pushUrl) return;
    const notification = notificationFor(write, emulator.projectKey);
    if (notification && typeIds.has(notification.resource.typeId)) relay.publish(notification);
  },
});
let salesforce: RunningSalesforceSimulator = await startSalesforceSimulator();
let close: CloseSimulator = await startCloseSimulator();
// The account's budgets out of the way: the bench counts Freshsales calls rather than waiting hours for them.
const startFreshsales = () => startFreshsalesSimulator({ budget: { perHour: 1_000_000_000, perMinute: 1_000_000_000 } });
let freshsales: FreshsalesSimulator = await startFreshsales();
let dynamics: DynamicsSimulator = await startDynamicsSimulator();
let crmone: CrmOneSimulator = await startCrmOneSimulator();

const seedRequest = z.object({ customers: z.number().int().min(0), ordersPerCustomer: z.number().int().min(0).default(0) });
const relayRequest = z.object({ pushUrl: z.url().optional() });

const control = express();
control.use(express.json());
control.post("/seed", async (req, res) => {
  const { customers, ordersPerCustomer } = seedRequest.parse(req.body);
  await seedCustomers(emulator, customers, { ordersPerCustomer });
  res.json({ customers, orders: customers * ordersPerCustomer });
});
control.post("/crm/fresh", async (_req, res) => {
  await Promise.all([salesforce.close(), close.close(), freshsales.close(), dynamics.close(), crmone.close()]);
  [salesforce, close, freshsales, dynamics, crmone] = await Promise.all([startSalesforceSimulator(), startCloseSimulator(), startFreshsales(), startDynamicsSimulator(), startCrmOneSimulator()]);
  res.json(crmUrls());
});
control.post("/relay", (req, res) => {
  pushUrl = relayRequest.parse(req.body).pushUrl;
  res.json({ pushUrl: pushUrl ?? null });
});
control.get("/stats", (_req, res) => {
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  res.json({ heapUsedMb: Math.round(memory.heapUsed / 2 ** 20), rssMb: Math.round(memory.rss / 2 ** 20), cpuMs: Math.round((cpu.user + cpu.system) / 1000), relay: relay.stats });
});
control.post("/stop", (_req, res) => {
  res.status(204).end();
  void stop();
});

const server: Server = await new Promise((resolve, reject) => {
  const listening = control.listen(0, "127.0.0.1");
  listening.once("error", reject);
  listening.once("listening", () => resolve(listening));
});

function crmUrls() {
  return { salesforce: salesforce.url, closeApi: close.url, closeApiKey: close.apiKey, freshsalesApi: freshsales.url, freshsalesApiKey: freshsales.apiKey, dynamics: dynamics.url, crmoneApi: crmone.url };
}

let stopping: Promise<void> | undefined;
function stop(): Promise<void> {
  stopping ??= (async () => {
    pushUrl = undefined;
    server.closeAllConnections();
    await Promise.all([new Promise((resolve) => server.close(resolve)), salesforce.close(), close.close(), freshsales.close(), dynamics.close(), crmone.close(), emulator.close()]);
    process.exit(0);
  })();
  return stopping;
}
process.stdin.on("end", () => void stop());
process.stdin.resume();

const urls: BackendUrls = { control: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, emulator: emulator.url, ...crmUrls() };
process.stdout.write(`${JSON.stringify({ urls })}\n`);
