import { mkdirSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Customer, Order } from "@commercetools/platform-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Failure } from "@ct-crm-sync/core/domain/failure";
import { systemClock, type Clock } from "@ct-crm-sync/core/ports/clock";
import { inlineRetryPolicy, jobRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createRuntime } from "@ct-crm-sync/core/runtime";
import { containers } from "@ct-crm-sync/core/state/containers";
import { createEventApp } from "../../event/src/app";
import { runJob } from "../../job/src/run-job";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { createCustomer, importOrder, seedProjectSetup } from "../sandbox/seed";
import { soql } from "../support/salesforce-reader";
import { armFault, clearFaults, startPushSink, type PushSink } from "../support/push-sink";
import { PushDriver, seededRandom } from "./push-driver";

/**
 * Nothing lost, nothing duplicated: thousands of commercetools changes reach
 * Salesforce through the event app with duplicates, reordering and concurrent
 * redelivery while Salesforce throttles, fails, times out, resets connections
 * and sends malformed bodies, and the event app restarts mid-stream. Then the
 * job retries what is due, and the CRM and the emulator are compared record by
 * record. Size with RELIABILITY_CUSTOMERS / _UPDATES / _ORDERS / _SEED.
 */
const size = {
  customers: Number(process.env.RELIABILITY_CUSTOMERS ?? 100),
  updateRounds: Number(process.env.RELIABILITY_UPDATES ?? 12),
  orders: Number(process.env.RELIABILITY_ORDERS ?? 150),
  seed: Number(process.env.RELIABILITY_SEED ?? 20260101),
  /**
   * Requests per second the connection's pacer allows against the simulator. The
   * connector paces 5/s for a real org; the simulator takes more, and the suite
   * is about correctness under faults, not about the org's limit.
   */
  crmRequestsPerSecond: Number(process.env.RELIABILITY_CRM_RPS ?? 25),
};

/** The sandbox's settings with the suite's pace for the Salesforce connection. */
const pacedEnv = (env: Record<string, string>) => ({ ...env, SALESFORCE_REQUESTS_PER_SECOND: String(size.crmRequestsPerSecond) });

type Contact = { Id: string; CT_Customer_Id__c: string; FirstName: string | null; LastName: string; Email: string | null; CT_Order_Count__c: number | null };
type CrmOrder = { Id: string; CT_Order_Id__c: string; CT_Order_State__c: string | null; Contact__r: { CT_Customer_Id__c: string } | null };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inChunks<T>(items: T[], width: number, task: (item: T, index: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map((item, j) => task(item, i + j)));
}

const faultKinds = [
  { kind: "throttled (REQUEST_LIMIT_EXCEEDED)", fault: { status: 429, times: 25 } },
  { kind: "503", fault: { status: 503, times: 25 } },
  { kind: "500", fault: { status: 500, times: 10 } },
  { kind: "slower than the deadline", fault: { delayMs: 9_000, times: 4 } },
  { kind: "connection reset", fault: { reset: true, times: 15 } },
  { kind: "malformed body", fault: { malformed: true, times: 15 } },
] as const;

describe("reliability: Salesforce under duplicates, reordering, faults and a restart", () => {
  let sandbox: Sandbox;
  let sink: PushSink;
  let eventServer: Server | undefined;
  let eventUrl = "http://127.0.0.1:9/";

  async function startEventApp() {
    const runtime = createRuntime({ app: "event", retry: inlineRetryPolicy, env: pacedEnv(sandbox.env), logger: sandbox.logs!.child({ app: "event" }) });
    const server = createEventApp(runtime).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    eventServer = server;
    eventUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  /** Stops the event app the hard way (open connections dropped), is down for a second, then starts a new one. */
  async function restartEventApp() {
    const old = eventServer!;
    eventUrl = "http://127.0.0.1:9/";
    old.closeAllConnections();
    old.close();
    await sleep(1_000);
    await startEventApp();
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", captureLogs: true });
    await seedProjectSetup(sandbox.api);
    sink = await startPushSink();
    sandbox.setPushUrl(sink.url);
    await startEventApp();
  });
  afterAll(async () => {
    eventServer?.closeAllConnections();
    eventServer?.close();
    await sink?.close();
    await sandbox?.stop();
  });

  it("keeps every record exactly once with its latest values, or open in the failure store with its reason", { timeout: 900_000 }, async () => {
    const started = Date.now();
    const random = seededRandom(size.seed);
    const driver = new PushDriver({
      url: () => eventUrl,
      concurrentDuplicateRate: 0.15,
      lateDuplicateRate: 0.15,
      reorderWindow: 40,
      maxOutstanding: 24,
      ackDeadlineMs: 10_000,
      random,
    });

    // Faults, one kind at a time, for as long as messages flow.
    const injected: Record<string, number> = {};
    let faultsOn = true;
    const faultLoop = (async () => {
      for (let i = 0; faultsOn; i++) {
        const { kind, fault } = faultKinds[i % faultKinds.length]!;
        const before = { ...sandbox.salesforce.faults.injected };
        await armFault(sandbox.urls.salesforce, { ...fault, pathIncludes: "/composite/sobjects" });
        await sleep(1_500);
        await clearFaults(sandbox.urls.salesforce);
        const after = sandbox.salesforce.faults.injected;
        const delta = (Object.keys(after) as (keyof typeof after)[]).reduce((n, k) => n + after[k] - before[k], 0);
        injected[kind] = (injected[kind] ?? 0) + delta;
        await sleep(700);
      }
    })();

    // Notifications flow from the sink into the driver while changes are still being made.
    let generating = true;
    let restarts = 0;
    let restartAt = 0;
    const pump = (async () => {
      let next = 0;
      for (;;) {
        while (next < sink.notifications.length) {
          await driver.add(sink.notifications[next++]);
          if (!restarts && restartAt && next >= restartAt) {
            restarts++;
            await restartEventApp();
          }
        }
        if (!generating && next >= sink.notifications.length) break;
        await sleep(20);
      }
      await driver.flush();
    })();

    // commercetools changes: customers, rounds of renames, orders (some guests), order state changes.
    const customers: { id: string; email: string; version: number }[] = [];
    await inChunks(Array.from({ length: size.customers }, (_, i) => i), 10, async (i) => {
      const email = `rel.${i}@example.com`;
      const id = await createCustomer(sandbox.api, { email, firstName: "F0", lastName: `L0-${i}`, store: "berlin", country: "DE" });
      customers[i] = { id, email, version: 1 };
    });
    const orderIds: string[] = [];
    const placeOrders = async (from: number, to: number) =>
      inChunks(Array.from({ length: to - from }, (_, k) => from + k), 10, async (n) => {
        const guest = n % 10 === 9;
        const customer = customers[Math.floor(random() * customers.length)]!;
        orderIds.push(
          await importOrder(sandbox.api, {
            orderNumber: `REL-${n}`,
            customerId: guest ? undefined : customer.id,
            email: guest ? `guest.${n}@example.com` : customer.email,
            store: "berlin",
            currency: "EUR",
            lines: [{ sku: "CUP-ESP", name: "Espresso cup", quantity: 1 + (n % 3), cents: 1000 + n }],
          }),
        );
      });
    for (let round = 1; round <= size.updateRounds; round++) {
      await inChunks(customers, 10, async (customer, i) => {
        const action = round % 2 ? { action: "setFirstName" as const, firstName: `F${round}-${i}` } : { action: "setLastName" as const, lastName: `L${round}-${i}` };
        const { body } = await sandbox.api.customers().withId({ ID: customer.id }).post({ body: { version: customer.version, actions: [action] } }).execute();
        customer.version = body.version;
      });
      if (round === Math.ceil(size.updateRounds / 2)) {
        await placeOrders(0, Math.floor(size.orders / 2));
        restartAt = sink.notifications.length;
      }
    }
    await placeOrders(Math.floor(size.orders / 2), size.orders);
    await inChunks(orderIds.filter((_, i) => i % 2 === 0), 10, async (id) => {
      const { body } = await sandbox.api.orders().withId({ ID: id }).get().execute();
      await sandbox.api.orders().withId({ ID: id }).post({ body: { version: body.version, actions: [{ action: "changeOrderState", orderState: "Confirmed" }] } }).execute();
    });
    await sandbox.relay.drained();
    generating = false;
    await pump;
    faultsOn = false;
    await faultLoop;
    await clearFaults(sandbox.urls.salesforce);
    const deliveredAt = Date.now();

    const storedFailures = async () => {
      const all: Failure[] = [];
      for (let afterKey: string | undefined; ; ) {
        const page = await sandbox.runtimes.job.store.list<Failure>(containers.failures, { limit: 500, afterKey });
        all.push(...page.items.map((i) => i.value));
        if (!page.nextKey) return all;
        afterKey = page.nextKey;
      }
    };
    const afterDelivery = await storedFailures();

    // The job, later: a clock past the longest backoff makes every stored retry due.
    const later: Clock = { now: () => new Date(Date.now() + 7 * 3600_000), sleep: systemClock.sleep };
    const jobRuntime = createRuntime({ app: "job", retry: jobRetryPolicy, env: pacedEnv(sandbox.env), clock: later, logger: sandbox.logs!.child({ app: "job" }) });
    const job = { runs: 0, retried: 0, resolved: 0 };
    for (; job.runs < 10; ) {
      const run = await runJob(jobRuntime);
      job.runs++;
      expect(run.outcome).toBe("succeeded");
      job.retried += run.counts.retried ?? 0;
      job.resolved += run.counts.retriedResolved ?? 0;
      if (!run.counts.retried) break;
    }

    // Read back: Salesforce through SOQL, commercetools from the emulator, the failure store.
    const contacts = await soql<Contact>(sandbox.urls.salesforce, "SELECT Id, CT_Customer_Id__c, FirstName, LastName, Email, CT_Order_Count__c FROM Contact");
    const crmOrders = await soql<CrmOrder>(sandbox.urls.salesforce, "SELECT Id, CT_Order_Id__c, CT_Order_State__c, Contact__r.CT_Customer_Id__c FROM CT_Order__c");
    const ctCustomers: Customer[] = [];
    const ctOrders: Order[] = [];
    for (let offset = 0; ; offset += 500) {
      const { body } = await sandbox.api.customers().get({ queryArgs: { limit: 500, offset } }).execute();
      ctCustomers.push(...body.results);
      if (body.results.length < 500) break;
    }
    for (let offset = 0; ; offset += 500) {
      const { body } = await sandbox.api.orders().get({ queryArgs: { limit: 500, offset } }).execute();
      ctOrders.push(...body.results);
      if (body.results.length < 500) break;
    }
    const finalFailures = await storedFailures();
    const openWithReason = new Set(
      finalFailures.filter((f) => f.state !== "resolved" && f.state !== "dismissed" && f.message).map((f) => `${f.entity}:${f.sourceId}`),
    );
    const group = <T>(rows: T[], key: (row: T) => string | undefined) => {
      const map = new Map<string, T[]>();
      for (const row of rows) {
        const k = key(row);
        if (k) map.set(k, [...(map.get(k) ?? []), row]);
      }
      return map;
    };
    const contactsBySource = group(contacts, (c) => c.CT_Customer_Id__c);
    const ordersBySource = group(crmOrders, (o) => o.CT_Order_Id__c);
    const orderCount = group(ctOrders, (o) => o.customerId);

    const problems: string[] = [];
    let lost = 0;
    let duplicated = 0;
    let stale = 0;
    let open = 0;
    for (const customer of ctCustomers) {
      const rows = contactsBySource.get(customer.id) ?? [];
      const pending = openWithReason.has(`person:${customer.id}`);
      if (rows.length > 1) (duplicated++, problems.push(`customer ${customer.id}: ${rows.length} contacts`));
      if (rows.length === 0) {
        if (pending) open++;
        else (lost++, problems.push(`customer ${customer.id}: no contact, no open failure`));
        continue;
      }
      const row = rows[0]!;
      const expected = { FirstName: customer.firstName, LastName: customer.lastName, Email: customer.email, CT_Order_Count__c: orderCount.get(customer.id)?.length ?? 0 };
      const actual = { FirstName: row.FirstName, LastName: row.LastName, Email: row.Email, CT_Order_Count__c: row.CT_Order_Count__c ?? 0 };
      if (JSON.stringify(expected) !== JSON.stringify(actual)) {
        if (pending) open++;
        else (stale++, problems.push(`customer ${customer.id}: CRM ${JSON.stringify(actual)} ≠ commercetools ${JSON.stringify(expected)}`));
      }
    }
    for (const order of ctOrders) {
      const rows = ordersBySource.get(order.id) ?? [];
      const pending = openWithReason.has(`order:${order.id}`);
      if (rows.length > 1) (duplicated++, problems.push(`order ${order.id}: ${rows.length} records`));
      if (rows.length === 0) {
        if (pending) open++;
        else (lost++, problems.push(`order ${order.id}: not in the CRM, no open failure`));
        continue;
      }
      const row = rows[0]!;
      const person = row.Contact__r?.CT_Customer_Id__c;
      const personOk = order.customerId ? person === order.customerId : person?.startsWith("guest-");
      if (row.CT_Order_State__c !== order.orderState || !personOk) {
        if (pending) open++;
        else (stale++, problems.push(`order ${order.id}: CRM state ${row.CT_Order_State__c}/${person} ≠ ${order.orderState}/${order.customerId ?? "guest"}`));
      }
    }
    const guestContacts = contacts.filter((c) => c.CT_Customer_Id__c?.startsWith("guest-"));
    const guestEmails = new Set(ctOrders.filter((o) => !o.customerId).map((o) => o.customerEmail));
    for (const [email, rows] of group(guestContacts, (c) => c.Email ?? undefined)) {
      if (rows.length > 1) (duplicated++, problems.push(`guest ${email}: ${rows.length} contacts`));
    }
    for (const email of guestEmails) if (!guestContacts.some((c) => c.Email === email)) (lost++, problems.push(`guest ${email}: no contact`));
    const known = new Set([...ctCustomers.map((c) => c.id)]);
    const strays = contacts.filter((c) => !c.CT_Customer_Id__c?.startsWith("guest-") && !known.has(c.CT_Customer_Id__c)).length;
    const unsettled = finalFailures.filter((f) => f.state !== "resolved" && f.state !== "dismissed" && !f.message).length;

    const figures = {
      crm: "salesforce",
      size,
      changes: { customersCreated: size.customers, customerUpdates: size.customers * size.updateRounds, ordersImported: size.orders, orderStateChanges: Math.ceil(size.orders / 2) },
      messages: driver.stats.messages,
      deliveries: driver.stats.deliveries,
      duplicatesDelivered: driver.stats.duplicatesSent,
      redeliveries: driver.stats.redeliveries,
      answers: driver.stats.byStatus,
      eventAppRestarts: restarts,
      injectedFaults: injected,
      injectedFaultsTotal: Object.values(injected).reduce((a, b) => a + b, 0),
      failureEntriesAfterDelivery: { total: afterDelivery.length, resolvedInline: afterDelivery.filter((f) => f.state === "resolved").length, awaitingRetry: afterDelivery.filter((f) => f.state === "retrying").length, open: afterDelivery.filter((f) => f.state === "open").length },
      job,
      retried: job.retried,
      failureEntriesAtEnd: { total: finalFailures.length, resolved: finalFailures.filter((f) => f.state === "resolved").length, openWithReason: openWithReason.size },
      crmRecords: { contacts: contacts.length, orders: crmOrders.length },
      commercetools: { customers: ctCustomers.length, orders: ctOrders.length, guestEmails: guestEmails.size },
      lost,
      duplicated,
      staleValues: stale,
      openInFailureStore: open,
      strayContacts: strays,
      durationSeconds: { delivery: Math.round((deliveredAt - started) / 1000), total: Math.round((Date.now() - started) / 1000) },
    };
    mkdirSync("test-output", { recursive: true });
    writeFileSync("test-output/reliability-figures.json", `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`\nreliability figures (salesforce):\n${JSON.stringify(figures, null, 2)}\n`);
    if (problems.length) console.log(problems.slice(0, 30).join("\n"));

    expect(ctCustomers).toHaveLength(size.customers);
    expect(ctOrders).toHaveLength(size.orders);
    expect(figures.injectedFaultsTotal).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    expect({ lost, duplicated, stale, strays, unsettled }).toEqual({ lost: 0, duplicated: 0, stale: 0, strays: 0, unsettled: 0 });
  });
});
