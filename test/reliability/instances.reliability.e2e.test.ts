import { mkdirSync, writeFileSync } from "node:fs";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Customer, Order } from "@commercetools/platform-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Failure } from "@ct-crm-sync/core/domain/failure";
import { systemClock, type Clock } from "@ct-crm-sync/core/ports/clock";
import { inlineRetryPolicy, jobRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createRuntime, type Runtime } from "@ct-crm-sync/core/runtime";
import { containers } from "@ct-crm-sync/core/state/containers";
import { createEventApp } from "../../event/src/app";
import { runJob } from "../../job/src/run-job";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { createCustomer, importOrder, seedProjectSetup } from "../sandbox/seed";
import { soql } from "../support/salesforce-reader";
import { armFault, clearFaults, startPushSink, type PushSink } from "../support/push-sink";
import { PushDriver, seededRandom } from "./push-driver";

/**
 * Nothing lost, nothing duplicated, nothing stale, with many instances:
 * thousands of commercetools changes reach the CRM through TWO event-app
 * instances (each push to either, as a load balancer would) while the job's
 * delta sync runs beside them, with duplicates, reordering and concurrent
 * redelivery, while the CRM throttles, fails, times out, resets connections
 * and sends malformed bodies, and one instance restarts mid-stream. Then the
 * job retries what is due, and the CRM and the emulator are compared record
 * by record. Once per CRM (Salesforce with its concurrent-insert races on,
 * Close). Size with RELIABILITY_CUSTOMERS / _UPDATES / _ORDERS / _SEED, the
 * CRMs' pace with RELIABILITY_CRM_RPS / RELIABILITY_CLOSE_RPS; figures in
 * test-output/reliability-<crm>-figures.json.
 */
const seed = Number(process.env.RELIABILITY_SEED ?? 20260101);

type Size = { customers: number; updateRounds: number; orders: number };
const sized = (fallback: Size): Size => ({
  customers: Number(process.env.RELIABILITY_CUSTOMERS ?? fallback.customers),
  updateRounds: Number(process.env.RELIABILITY_UPDATES ?? fallback.updateRounds),
  orders: Number(process.env.RELIABILITY_ORDERS ?? fallback.orders),
});

/** A person as the CRM holds it, in the terms the check compares. */
type PersonRow = { sourceId: string; values: Record<string, unknown> };
type OrderRow = { orderId: string; state: unknown; personSourceId: string | undefined };
/** `duplicates`: records the CRM holds twice beyond people and orders themselves (Close: a person's own lead). */
type CrmState = { people: PersonRow[]; orders: OrderRow[]; guestEmails: (string | undefined)[]; duplicates: string[] };

type CrmUnderTest = {
  crm: "salesforce" | "close";
  size: Size;
  /**
   * Requests a second each instance's pacer allows against the simulator.
   * Production paces lower; this suite is about correctness under faults.
   */
  env(env: Record<string, string>): Record<string, string>;
  /** Where faults are injected (a path fragment), all data requests when absent. */
  faultPath?: string;
  readBack(sandbox: Sandbox): Promise<CrmState>;
  /** What the person's CRM record must say, given the customer and their orders. */
  expectedPerson(customer: Customer, orders: Order[]): Record<string, unknown>;
};

const majorUnits = (orders: Order[]) => Math.round(orders.reduce((sum, o) => sum + o.totalPrice.centAmount / 10 ** o.totalPrice.fractionDigits, 0) * 100) / 100;

const salesforce: CrmUnderTest = {
  crm: "salesforce",
  size: sized({ customers: 100, updateRounds: 12, orders: 150 }),
  env: (env) => ({ ...env, SALESFORCE_REQUESTS_PER_SECOND: process.env.RELIABILITY_CRM_RPS ?? "25" }),
  faultPath: "/composite/sobjects",
  async readBack(sandbox) {
    type Contact = { CT_Customer_Id__c: string; FirstName: string | null; LastName: string; Email: string | null; CT_Order_Count__c: number | null };
    type CrmOrder = { CT_Order_Id__c: string; CT_Order_State__c: string | null; Contact__r: { CT_Customer_Id__c: string } | null };
    const contacts = await soql<Contact>(sandbox.urls.salesforce, "SELECT Id, CT_Customer_Id__c, FirstName, LastName, Email, CT_Order_Count__c FROM Contact");
    const orders = await soql<CrmOrder>(sandbox.urls.salesforce, "SELECT Id, CT_Order_Id__c, CT_Order_State__c, Contact__r.CT_Customer_Id__c FROM CT_Order__c");
    return {
      people: contacts.map((c) => ({ sourceId: c.CT_Customer_Id__c, values: { firstName: c.FirstName, lastName: c.LastName, email: c.Email, orders: c.CT_Order_Count__c ?? 0 } })),
      orders: orders.map((o) => ({ orderId: o.CT_Order_Id__c, state: o.CT_Order_State__c, personSourceId: o.Contact__r?.CT_Customer_Id__c })),
      guestEmails: contacts.filter((c) => c.CT_Customer_Id__c?.startsWith("guest-")).map((c) => c.Email ?? undefined),
      duplicates: [],
    };
  },
  expectedPerson: (customer, orders) => ({ firstName: customer.firstName, lastName: customer.lastName, email: customer.email, orders: orders.length }),
};

const close: CrmUnderTest = {
  crm: "close",
  size: sized({ customers: 60, updateRounds: 8, orders: 80 }),
  env: (env) => ({ ...env, CLOSE_REQUESTS_PER_SECOND: process.env.RELIABILITY_CLOSE_RPS ?? "60" }),
  async readBack(sandbox) {
    // The simulator's own store: what a Close user sees, without thousands of API reads.
    const store = sandbox.close.store;
    const field = (scope: string, name: string) => [...store.customFields.values()].find((f) => f.scope === scope && f.name === name)?.id ?? "missing";
    const [contactCustomer, leadCustomer, leadValue, orderId, orderState] = [
      field("contact", "ct_customer_id"),
      field("lead", "ct_customer_id"),
      field("lead", "ct_lifetime_value"),
      field("activity", "ct_order_id"),
      field("activity", "ct_order_state"),
    ];
    const contacts = [...store.contacts.values()];
    const leadOf = (id: string) => store.leads.get(id);
    const people = contacts
      .filter((c) => typeof c.custom.get(contactCustomer) === "string")
      .map((c) => {
        const lead = leadOf(c.lead_id);
        return { sourceId: c.custom.get(contactCustomer) as string, values: { name: c.name, email: c.emails[0]?.email, lifetimeValue: lead?.custom.get(leadValue) ?? 0 } };
      });
    const ownLeads = new Map<string, number[]>();
    for (const lead of store.leads.values()) {
      const sourceId = lead.custom.get(leadCustomer);
      if (typeof sourceId === "string") ownLeads.set(sourceId, [...(ownLeads.get(sourceId) ?? []), store.contactsOf(lead.id).length]);
    }
    const customerOfContact = new Map(contacts.map((c) => [c.id, c.custom.get(contactCustomer) as string | undefined]));
    const orders = [...store.activities.values()]
      .filter((a) => typeof a.custom.get(orderId) === "string")
      .map((a) => ({ orderId: a.custom.get(orderId) as string, state: a.custom.get(orderState), personSourceId: a.contact_id ? customerOfContact.get(a.contact_id) : undefined }));
    return {
      people,
      orders,
      guestEmails: people.filter((p) => p.sourceId.startsWith("guest-")).map((p) => p.values.email as string | undefined),
      duplicates: [...ownLeads].filter(([, leads]) => leads.length > 1).map(([sourceId, leads]) => `person ${sourceId}: ${leads.length} own leads (holding ${leads.join(" and ")} contacts)`),
    };
  },
  expectedPerson: (customer, orders) => ({ name: [customer.firstName, customer.lastName].filter(Boolean).join(" "), email: customer.email, lifetimeValue: majorUnits(orders) }),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inChunks<T>(items: T[], width: number, task: (item: T, index: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map((item, j) => task(item, i + j)));
}

const faultKinds = [
  { kind: "throttled", fault: { status: 429, times: 25 } },
  { kind: "503", fault: { status: 503, times: 25 } },
  { kind: "500", fault: { status: 500, times: 10 } },
  { kind: "slower than the deadline", fault: { delayMs: 9_000, times: 4 } },
  { kind: "connection reset", fault: { reset: true, times: 15 } },
  { kind: "malformed body", fault: { malformed: true, times: 15 } },
] as const;

/** One event-app instance: its own runtime (pacer, locks, caches) and server, as a separate process has. */
class Instance {
  private server: Server | undefined;
  url = "http://127.0.0.1:9/";
  restarts = 0;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly under: CrmUnderTest,
    readonly name: string,
  ) {}

  async start() {
    const runtime = createRuntime({ app: this.name, retry: inlineRetryPolicy, env: this.under.env(this.sandbox.env), logger: this.sandbox.logs!.child({ app: this.name }) });
    const server = http.createServer(createEventApp(runtime));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  /** Stops the hard way (open connections dropped), is down for a second, then starts anew. */
  async restart() {
    const old = this.server!;
    this.url = "http://127.0.0.1:9/";
    old.closeAllConnections();
    old.close();
    this.restarts++;
    await sleep(1_000);
    await this.start();
  }

  stop() {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}

for (const under of [salesforce, close]) {
  describe(`reliability (${under.crm}): two event-app instances and the job at once, under duplicates, reordering, faults and a restart`, () => {
    let sandbox: Sandbox;
    let sink: PushSink;
    let instances: Instance[];

    beforeAll(async () => {
      sandbox = await startSandbox({ crm: under.crm, ports: "ephemeral", captureLogs: true });
      await seedProjectSetup(sandbox.api);
      sink = await startPushSink();
      sandbox.setPushUrl(sink.url);
      instances = [new Instance(sandbox, under, "event-a"), new Instance(sandbox, under, "event-b")];
      for (const instance of instances) await instance.start();
    });
    afterAll(async () => {
      for (const instance of instances ?? []) instance.stop();
      await sink?.close();
      await sandbox?.stop();
    });

    it("keeps every record exactly once with its latest values, or open in the failure store with its reason", { timeout: 1_200_000 }, async () => {
      const { size } = under;
      const crmUrl = under.crm === "salesforce" ? sandbox.urls.salesforce : sandbox.urls.close;
      const faults = under.crm === "salesforce" ? sandbox.salesforce.faults : sandbox.close.faults;
      const started = Date.now();
      const random = seededRandom(seed);
      // Each delivery (and redelivery) goes to either instance, as Pub/Sub's pushes reach a load-balanced endpoint.
      const driver = new PushDriver({
        url: () => instances[random() < 0.5 ? 0 : 1]!.url,
        concurrentDuplicateRate: 0.15,
        lateDuplicateRate: 0.15,
        reorderWindow: 40,
        maxOutstanding: 48,
        ackDeadlineMs: 10_000,
        random,
      });

      // Faults, one kind at a time, for as long as messages flow.
      const injected: Record<string, number> = {};
      let delivering = true;
      const faultLoop = (async () => {
        for (let i = 0; delivering; i++) {
          const { kind, fault } = faultKinds[i % faultKinds.length]!;
          const before = { ...faults.injected };
          await armFault(crmUrl, { ...fault, ...(under.faultPath ? { pathIncludes: under.faultPath } : {}) });
          await sleep(1_500);
          await clearFaults(crmUrl);
          const after = faults.injected;
          const delta = (Object.keys(after) as (keyof typeof after)[]).reduce((n, k) => n + after[k] - before[k], 0);
          injected[kind] = (injected[kind] ?? 0) + delta;
          await sleep(700);
        }
      })();

      // The job's delta sync beside the event apps, as Connect's cron runs it, writing the same records.
      const jobNow = createRuntime({ app: "job", retry: jobRetryPolicy, env: under.env(sandbox.env), logger: sandbox.logs!.child({ app: "job" }) });
      const concurrentJob = { runs: 0, written: 0, failedRuns: 0, failures: [] as string[] };
      const jobLoop = (async () => {
        while (delivering) {
          const run = await runJob(jobNow, { tasks: ["retries", "delta"] });
          concurrentJob.runs++;
          if (run.outcome === "failed") {
            concurrentJob.failedRuns++;
            // A run that meets a CRM fault stops where its checkpoint is; the next run (or the later job) goes on from there.
            if (concurrentJob.failures.length < 5) concurrentJob.failures.push(run.detail ?? "");
          }
          concurrentJob.written += Object.entries(run.counts).filter(([k]) => k.endsWith(".written")).reduce((n, [, v]) => n + v, 0);
          await sleep(1_500);
        }
      })();

      // Notifications flow from the sink into the driver while changes are still being made.
      let generating = true;
      let restartAt = 0;
      const pump = (async () => {
        let next = 0;
        for (;;) {
          while (next < sink.notifications.length) {
            await driver.add(sink.notifications[next++]);
            if (!instances[0]!.restarts && restartAt && next >= restartAt) await instances[0]!.restart();
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
      delivering = false;
      await Promise.all([faultLoop, jobLoop]);
      await clearFaults(crmUrl);
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
      const jobLater: Runtime = createRuntime({ app: "job-later", retry: jobRetryPolicy, env: under.env(sandbox.env), clock: later, logger: sandbox.logs!.child({ app: "job-later" }) });
      const job = { runs: 0, retried: 0, resolved: 0 };
      for (; job.runs < 10; ) {
        const run = await runJob(jobLater, { tasks: ["retries"] });
        job.runs++;
        expect(run.outcome).toBe("succeeded");
        job.retried += run.counts.retried ?? 0;
        job.resolved += run.counts.retriedResolved ?? 0;
        if (!run.counts.retried) break;
      }

      // Read back: the CRM as its users see it, commercetools from the emulator, the failure store.
      const held = await under.readBack(sandbox);
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
      const peopleBySource = group(held.people, (p) => p.sourceId);
      const ordersBySource = group(held.orders, (o) => o.orderId);
      const ordersOf = group(ctOrders, (o) => o.customerId);

      const problems: string[] = [];
      let lost = 0;
      let duplicated = 0;
      let stale = 0;
      let open = 0;
      for (const customer of ctCustomers) {
        const rows = peopleBySource.get(customer.id) ?? [];
        const pending = openWithReason.has(`person:${customer.id}`);
        if (rows.length > 1) (duplicated++, problems.push(`customer ${customer.id}: ${rows.length} CRM records`));
        if (rows.length === 0) {
          if (pending) open++;
          else (lost++, problems.push(`customer ${customer.id}: not in the CRM, no open failure`));
          continue;
        }
        const expected = under.expectedPerson(customer, ordersOf.get(customer.id) ?? []);
        const actual = rows[0]!.values;
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
        const personOk = order.customerId ? row.personSourceId === order.customerId : row.personSourceId?.startsWith("guest-");
        if (row.state !== order.orderState || !personOk) {
          if (pending) open++;
          else (stale++, problems.push(`order ${order.id}: CRM ${String(row.state)}/${row.personSourceId} ≠ ${order.orderState}/${order.customerId ?? "guest"}`));
        }
      }
      for (const duplicate of held.duplicates) (duplicated++, problems.push(duplicate));
      const guestEmails = new Set(ctOrders.filter((o) => !o.customerId).map((o) => o.customerEmail));
      for (const [email, rows] of group(held.guestEmails, (e) => e)) if (rows.length > 1) (duplicated++, problems.push(`guest ${email}: ${rows.length} CRM records`));
      for (const email of guestEmails) if (!held.guestEmails.includes(email)) (lost++, problems.push(`guest ${email}: not in the CRM`));
      const known = new Set(ctCustomers.map((c) => c.id));
      const strays = held.people.filter((p) => !p.sourceId.startsWith("guest-") && !known.has(p.sourceId)).length;
      const unsettled = finalFailures.filter((f) => f.state !== "resolved" && f.state !== "dismissed" && !f.message).length;
      const raced = sandbox.logs!.entries.filter((e) => e.message.startsWith("another writer saved these records")).length;
      // What made the apps answer 500 (Pub/Sub redelivers those): error names and messages, counted.
      const errors: Record<string, number> = {};
      for (const e of sandbox.logs!.entries.filter((entry) => entry.level === "error")) {
        const key = `${e.message}: ${String(e.meta.errorName ?? "")} ${String(e.meta.errorMessage ?? "").slice(0, 120)}`;
        errors[key] = (errors[key] ?? 0) + 1;
      }

      const figures = {
        crm: under.crm,
        size,
        seed,
        eventInstances: instances.length,
        changes: { customersCreated: size.customers, customerUpdates: size.customers * size.updateRounds, ordersImported: size.orders, orderStateChanges: Math.ceil(size.orders / 2) },
        messages: driver.stats.messages,
        deliveries: driver.stats.deliveries,
        duplicatesDelivered: driver.stats.duplicatesSent,
        redeliveries: driver.stats.redeliveries,
        answers: driver.stats.byStatus,
        eventAppRestarts: instances.reduce((n, i) => n + i.restarts, 0),
        concurrentJob,
        writesRacedAcrossInstances: raced,
        errorsLogged: errors,
        injectedFaults: injected,
        injectedFaultsTotal: Object.values(injected).reduce((a, b) => a + b, 0),
        failureEntriesAfterDelivery: { total: afterDelivery.length, resolvedInline: afterDelivery.filter((f) => f.state === "resolved").length, awaitingRetry: afterDelivery.filter((f) => f.state === "retrying").length, open: afterDelivery.filter((f) => f.state === "open").length },
        job,
        failureEntriesAtEnd: {
          total: finalFailures.length,
          resolved: finalFailures.filter((f) => f.state === "resolved").length,
          openWithReason: openWithReason.size,
          open: finalFailures.filter((f) => f.state !== "resolved" && f.state !== "dismissed").map((f) => `${f.direction} ${f.entity} ${f.state} ${f.errorClass} ${f.code ?? ""} attempts=${f.attempts}`),
        },
        crmRecords: { people: held.people.length, orders: held.orders.length },
        commercetools: { customers: ctCustomers.length, orders: ctOrders.length, guestEmails: guestEmails.size },
        lost,
        duplicated,
        staleValues: stale,
        openInFailureStore: open,
        strays,
        durationSeconds: { delivery: Math.round((deliveredAt - started) / 1000), total: Math.round((Date.now() - started) / 1000) },
      };
      mkdirSync("test-output", { recursive: true });
      writeFileSync(`test-output/reliability-${under.crm}-figures.json`, `${JSON.stringify(figures, null, 2)}\n`);
      console.log(`\nreliability figures (${under.crm}):\n${JSON.stringify(figures, null, 2)}\n`);
      if (problems.length) console.log(problems.slice(0, 30).join("\n"));

      expect(ctCustomers).toHaveLength(size.customers);
      expect(ctOrders).toHaveLength(size.orders);
      expect(figures.injectedFaultsTotal).toBeGreaterThan(0);
      expect(concurrentJob.runs).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      expect({ lost, duplicated, stale, strays, unsettled }).toEqual({ lost: 0, duplicated: 0, stale: 0, strays: 0, unsettled: 0 });
    });
  });
}
