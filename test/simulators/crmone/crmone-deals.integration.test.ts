import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/crmone/connector";
import { SyncError } from "@ct-crm-sync/core/domain/errors";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import type { InboundRequest } from "@ct-crm-sync/core/ports/crm-inbound";
import type { CrmAdapter, CrmReconciliation } from "@ct-crm-sync/core/ports/crm-outbound";
import type { Clock } from "@ct-crm-sync/core/ports/clock";
import { company, deal, order, orderEvent, person } from "../../conformance/fixtures";
import { connectorSetup, crmOneReader, startCrmOneSimulator, type CrmOneSimulator } from "./index";
import { checkExchanges } from "./spec/contract";

/**
 * Cart opportunities, order timeline entries and reconciliation's batched
 * reads against the simulator, beyond the shared conformance suites: what
 * the instance holds (read from the simulator's store), several processes
 * at once, the set-up, request counts, and our writes never coming back.
 */
let sim: CrmOneSimulator;
const ctx = { correlationId: "crmone-deals-test" };
let now = new Date();
const clock: Clock = { now: () => now, sleep: async () => undefined };
const customFields = Object.fromEntries(Object.entries(connectorSetup.customFields).map(([model, fields]) => [model, Object.keys(fields)]));

/** A fresh connection = a separate process (its own token, set-up check, lock table and pacer). */
const connect = (target = () => sim) =>
  connector.connect(
    { CRMONE_API_URL: target().url, CRMONE_CLIENT_ID: target().clientId, CRMONE_CLIENT_SECRET: target().clientSecret, CRMONE_WEBHOOK_SECRET: "hook-secret", CRMONE_REQUESTS_PER_SECOND: "200" },
    { logger: new MemoryLogger(), clock },
  );
const adapter = (): CrmAdapter => connect().outbound;

const records = (model: string) => [...sim.store.table(model).values()];
const opportunitiesOf = (cartId: string) => records("Opportunity").filter((o) => o.ct_deal_key === `ct-cart-${cartId}`);
const contactOf = (sourceId: string) => records("Contact").find((c) => c.ct_customer_id === sourceId)!;
const tasksOf = (key: string) => records("Task").filter((t) => t.ct_timeline_key === key);
const euros = (centAmount: number) => ({ centAmount, currencyCode: "EUR", fractionDigits: 2 });

beforeAll(async () => {
  sim = await startCrmOneSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe("CRM One cart opportunities", () => {
  it("writes a shopper's cart as an open opportunity under the shoppers' account, naming its contact, its amount in currency units", async () => {
    const a = adapter();
    await a.upsertPeople([person("d-shopper")], ctx);
    const [outcome] = await a.upsertDeals!([deal("d-cart-1", "d-shopper")], ctx);
    expect(outcome).toMatchObject({ ok: true, created: true });
    const [opportunity] = opportunitiesOf("d-cart-1");
    const shoppers = records("Account").filter((acc) => acc.name === "Online shop customers (commercetools)");
    expect(shoppers).toHaveLength(1);
    expect(opportunity).toMatchObject({
      name: "Cart · 3 items · berlin",
      account_id: shoppers[0]!.id,
      amount: 123.45,
      currency: "EUR",
      sales_stage: "Prospecting",
      date_closed: "2026-11-20",
      ct_customer_id: "d-shopper",
      ct_contact_id: contactOf("d-shopper").id,
    });
    expect(opportunity?.next_step).toBeUndefined();
    expect(opportunity?.description).toContain("2 x Espresso cup (SKU-1) 20.00 EUR");
  });

  it("flags an abandoned cart in next_step at an open stage, and clears the flag when the cart is active again", async () => {
    const a = adapter();
    await a.upsertDeals!([deal("d-cart-idle", "d-shopper", { status: "abandoned", statusAt: "2026-11-22T08:00:00.000Z" })], ctx);
    expect(opportunitiesOf("d-cart-idle")[0]).toMatchObject({ sales_stage: "Prospecting", next_step: "Follow up: abandoned cart", date_closed: "2026-11-22" });
    await a.upsertDeals!([deal("d-cart-idle", "d-shopper", { sourceVersion: 3, status: "open", lastActivityAt: "2026-11-23T08:00:00.000Z" })], ctx);
    const [opportunity] = opportunitiesOf("d-cart-idle");
    expect(opportunity?.next_step).toBeUndefined();
    expect(opportunity?.date_closed).toBe("2026-11-23");
  });

  it("closes a won cart's opportunity linked to its order's note, and a lost one as Closed Lost", async () => {
    const a = adapter();
    await a.upsertDeals!([deal("d-cart-won", "d-shopper"), deal("d-cart-lost", "d-shopper")], ctx);
    await a.upsertOrders([order("d-order", "d-shopper")], ctx);
    const note = records("Note").find((n) => n.name === "commercetools order ct-order-d-order")!;
    const won = deal("d-cart-won", "d-shopper", { sourceVersion: 2, status: "won", statusAt: "2026-11-24T09:00:00.000Z", orderSourceId: "d-order", orderNumber: "ON-7" });
    const lost = deal("d-cart-lost", "d-shopper", { sourceVersion: 2, status: "lost", statusAt: "2026-11-24T09:00:00.000Z" });
    expect((await a.upsertDeals!([won, lost], ctx)).every((o) => o.ok && !o.created)).toBe(true);
    expect(opportunitiesOf("d-cart-won")[0]).toMatchObject({ sales_stage: "Closed Won", probability: "100", date_closed: "2026-11-24", ct_order_id: "d-order", ct_order_note_id: note.id });
    expect(opportunitiesOf("d-cart-won")[0]?.description).toContain("Order number: ON-7");
    expect(opportunitiesOf("d-cart-lost")[0]).toMatchObject({ sales_stage: "Closed Lost", probability: "0" });
    expect(opportunitiesOf("d-cart-lost")[0]?.ct_order_id).toBeUndefined();
  });

  it("puts a business unit's cart under the unit's account", async () => {
    const a = adapter();
    await a.upsertCompanies([company("d-unit")], ctx);
    await a.upsertDeals!([deal("d-cart-b2b", "d-buyer", { companySourceId: "d-unit" })], ctx);
    const account = records("Account").find((acc) => acc.ct_business_unit_id === "d-unit")!;
    expect(opportunitiesOf("d-cart-b2b")[0]?.account_id).toBe(account.id);
  });

  it("converges on one opportunity and one shoppers' account when three processes write new carts at once", async () => {
    const fresh = await startCrmOneSimulator();
    try {
      const processes = [0, 1, 2].map(() => connect(() => fresh).outbound);
      await Promise.all(processes.map((p) => p.ensureSchema(ctx)));
      const outcomes = (await Promise.all(processes.map((p) => p.upsertDeals!([deal("race-cart", "race-shopper")], ctx)))).flat();
      expect(outcomes.every((o) => o.ok)).toBe(true);
      const opportunities = [...fresh.store.table("Opportunity").values()];
      expect(opportunities).toHaveLength(1);
      expect(new Set(outcomes.map((o) => (o.ok ? o.crmId : undefined)))).toEqual(new Set([opportunities[0]!.id]));
      expect([...fresh.store.table("Account").values()].filter((acc) => acc.name === "Online shop customers (commercetools)")).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it("keeps syncing people on an instance set up before deals, and refuses deals naming the set-up", async () => {
    const { Opportunity: _o, Task: _t, ...before } = connectorSetup.customFields;
    const old = await startCrmOneSimulator({ setup: { customFields: before, filters: { Contact: ["ct_customer_id"], Account: ["ct_business_unit_id"] } } });
    try {
      const a = connect(() => old).outbound;
      expect((await a.upsertPeople([person("old-1")], ctx))[0]?.ok).toBe(true);
      const error = await a.upsertDeals!([deal("old-cart", "old-1")], ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SyncError);
      expect((error as SyncError).message).toMatch(/ct_deal_key .* see the CRM One connector's README, "Set-up"/);
      expect(old.store.table("Opportunity").size).toBe(0);
    } finally {
      await old.close();
    }
  });
});

describe("CRM One order timeline", () => {
  it("writes each transition as a completed task on the contact, dated when it happened, titled with the order and amount", async () => {
    const a = adapter();
    await a.upsertPeople([person("t-buyer")], ctx);
    const refund = orderEvent("t-order", "t-buyer", "refunded", { occurrence: "tx-9", amount: euros(2000), at: "2026-11-25T12:30:45.000Z" });
    const [outcome] = await a.recordOrderEvents!([refund], ctx);
    expect(outcome).toMatchObject({ ok: true, created: true, sourceId: "ct-order-t-order-refunded-tx-9" });
    const [task] = tasksOf("ct-order-t-order-refunded-tx-9");
    expect(task).toMatchObject({
      name: "Order ON-t-order refunded 20.00 EUR",
      status: "Completed",
      date_start: "2026-11-25 12:30:45",
      date_due: "2026-11-25 12:30:45",
      parent_type: "Contacts",
      parent_id: contactOf("t-buyer").id,
      contact_id: contactOf("t-buyer").id,
    });
    expect(task?.description).toContain("Amount: 20.00 EUR");
  });

  it("leaves an entry already there as it is, and three processes delivering one event at once leave one entry", async () => {
    const paid = orderEvent("t-order", "t-buyer", "paid", { amount: euros(12345) });
    await adapter().recordOrderEvents!([paid], ctx);
    const [task] = tasksOf(paid.sourceId);
    sim.store.update("Task", task!.id, { description: "called the customer about it" });
    const [again] = await adapter().recordOrderEvents!([paid], ctx);
    expect(again).toMatchObject({ ok: true, created: false, crmId: task!.id });
    expect(tasksOf(paid.sourceId)[0]?.description).toBe("called the customer about it");

    const shipped = orderEvent("t-order", "t-buyer", "shipped");
    const processes = [adapter(), adapter(), adapter()];
    await Promise.all(processes.map((p) => p.ensureSchema(ctx)));
    const outcomes = (await Promise.all(processes.map((p) => p.recordOrderEvents!([shipped], ctx)))).flat();
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(tasksOf(shipped.sourceId)).toHaveLength(1);
  });

  it("keeps an entry whose key begins another entry's key: the instance lists both for the shorter key, neither is a duplicate", async () => {
    const returns = ["1", "10"].map((occurrence) => orderEvent("t-returns", "t-buyer", "returned", { occurrence }));
    const a = adapter();
    expect((await a.recordOrderEvents!(returns, ctx)).every((o) => o.ok && o.created)).toBe(true);
    expect((await a.recordOrderEvents!(returns, ctx)).every((o) => o.ok && !o.created)).toBe(true);
    for (const event of returns) expect(tasksOf(event.sourceId)).toHaveLength(1);
  });

  it("finds a batch's contact once: three events of one order cost one contact look-up", async () => {
    const a = adapter();
    await a.ensureSchema(ctx);
    const before = sim.exchanges.length;
    await a.recordOrderEvents!(["canceled", "returned", "refunded"].map((type) => orderEvent("t-batch", "t-buyer", type as "canceled")), ctx);
    const contactFinds = sim.exchanges.slice(before).filter((e) => e.method === "GET" && e.path === "/data/Contact");
    expect(contactFinds).toHaveLength(1);
  });
});

describe("CRM One reconciliation reads", () => {
  const walk = Array.from({ length: 500 }, (_, i) => `w-${String(i).padStart(4, "0")}`);
  let reconcile: Required<Pick<CrmReconciliation, "readSynced">>;
  let fresh: CrmOneSimulator;

  beforeAll(async () => {
    fresh = await startCrmOneSimulator();
    // The instance's own store: 500 synced contacts, a merchant's contact without our ID, a duplicate, an orphan.
    for (const id of walk) fresh.store.create("Contact", { last_name: id, ct_customer_id: id });
    fresh.store.create("Contact", { last_name: "Merchant's own" });
    fresh.store.create("Contact", { last_name: "Twin", ct_customer_id: "w-0150" });
    fresh.store.create("Contact", { last_name: "Orphan", ct_customer_id: "w-0150-orphan" });
    reconcile = connect(() => fresh).outbound.reconcile as typeof reconcile;
  });
  afterAll(async () => {
    await fresh.close();
  });

  const requests = () => fresh.requests.filter((r) => r.path === "/api.php/data/Contact").length;

  it("reads slices of 100 IDs in ID order in one or two requests each after the first, duplicates twice, orphans not at all", async () => {
    await connect(() => fresh).outbound.ensureSchema(ctx);
    const spent: number[] = [];
    const found: string[] = [];
    for (let i = 0; i < walk.length; i += 100) {
      const before = requests();
      const answer = await reconcile.readSynced("person", walk.slice(i, i + 100), ctx);
      spent.push(requests() - before);
      found.push(...answer.map((r) => r.sourceId));
    }
    expect(found.sort()).toEqual([...walk, "w-0150"].sort());
    expect(spent.slice(1).every((n) => n <= 2)).toBe(true);
    expect(spent[0]).toBeLessThanOrEqual(5);
  });

  it("finds every ID of a scattered set, and after others deleted contacts before where it stopped", async () => {
    const scattered = ["w-0499", "w-0003", "w-0250", "missing", "w-0150"];
    expect((await reconcile.readSynced("person", scattered, ctx)).map((r) => r.sourceId).sort()).toEqual(["w-0003", "w-0150", "w-0150", "w-0250", "w-0499"]);
    await reconcile.readSynced("person", walk.slice(300, 400), ctx);
    for (const contact of [...fresh.store.table("Contact").values()].filter((c) => typeof c.ct_customer_id === "string" && c.ct_customer_id < "w-0100")) fresh.store.delete("Contact", contact.id);
    const next = await reconcile.readSynced("person", walk.slice(400, 500), ctx);
    expect(next.map((r) => r.sourceId).sort()).toEqual(walk.slice(400, 500));
  });
});

describe("CRM One: our opportunities and tasks never come back", () => {
  it("drops deliveries and polled changes of cart opportunities, even without CRMONE_USER_ID, and lists a salesperson's own opportunity", async () => {
    const connection = connect();
    const sales = crmOneReader(sim.url, sim.salesperson);
    await crmOneReader(sim.url, sim).subscribe("Opportunity", "http://127.0.0.1:9/webhooks/crmone?model=Opportunity&secret=hook-secret");
    const checkpoint = connection.inbound.checkpointAt!(new Date(Date.now() - 60_000).toISOString());
    const delivered = sim.webhooks.deliveries.length;
    await connection.outbound.upsertDeals!([deal("loop-cart", "d-shopper"), deal("loop-cart", "d-shopper", { sourceVersion: 2, status: "abandoned" })], ctx);
    await connection.outbound.recordOrderEvents!([orderEvent("loop-order", "d-shopper", "paid")], ctx);
    const accountId = records("Account")[0]!.id;
    const theirs = await sales.create("Opportunity", { name: "Big deal", account_id: accountId, amount: 5000, date_closed: "2026-12-01", sales_stage: "Qualification" });
    // The simulator delivers in the background, in order: the salesperson's creation comes last.
    const deliveries = await vi.waitFor(() => {
      const sent = sim.webhooks.deliveries.slice(delivered).filter((d) => d.model === "Opportunity");
      expect(sent.map((d) => d.recordId)).toContain(theirs);
      return sent;
    });
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
    const parsed = deliveries.flatMap((d) => {
      const request: InboundRequest = { headers: {}, query: { model: "Opportunity", secret: "hook-secret" }, rawBody: Buffer.from(d.body), receivedAt: new Date() };
      return connection.inbound.parse(request).changes;
    });
    expect(parsed.map((c) => c.crmId)).toEqual([theirs]);

    now = new Date(Date.now() + 10_000);
    const polled = await connection.inbound.changesSince!("deal", checkpoint, ctx);
    expect(polled.changes.map((c) => c.crmId)).toEqual([theirs]);
  });

  it("every request it sent, and every answer, agrees with the 1CRM OpenAPI files", () => {
    expect(checkExchanges(sim.exchanges, customFields)).toEqual([]);
  });
});
