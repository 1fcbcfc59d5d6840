import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/freshsales/connector";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmConnection } from "@ct-crm-sync/core/ports/crm-connector";
import { company, deal, order, orderEvent, person } from "../../conformance/fixtures";
import { startFreshsalesSimulator, type FreshsalesSimulator } from ".";
import { freshsalesReader } from "./reader";
import { undocumented } from "./spec/paths";

const ctx = { correlationId: "fs-carts-test" };
const secret = "sixteen-characters-at-least";
const templateFor = (one: string) => `{"module":"${one}","id":"{{${one}.id}}","updated_at":"{{${one}.updated_at}}","updater_id":"{{${one}.updater_id}}"}`;
const eur = (centAmount: number) => ({ centAmount, currencyCode: "EUR", fractionDigits: 2 });

/** Two connections on one account, as two instances of the apps would have: nothing shared but Freshsales. */
function connect(sim: FreshsalesSimulator): CrmConnection {
  const settings = { FRESHSALES_API_URL: sim.url, FRESHSALES_API_KEY: sim.apiKey, FRESHSALES_REQUESTS_PER_SECOND: "50", FRESHSALES_HOURLY_BUDGET: "5000", FRESHSALES_WEBHOOK_SECRET: secret, FRESHSALES_API_USER_ID: String(sim.userId) };
  return connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock });
}

describe("Freshsales cart deals, order timeline and batched reads against the simulator", () => {
  let sim: FreshsalesSimulator;
  let one: CrmConnection;
  let two: CrmConnection;
  let receiver: Server;
  const received: Buffer[] = [];
  const reader = () => freshsalesReader(sim.url, sim.apiKey);
  const since = (before: number) => sim.recorded.slice(before).map((r) => `${r.method} ${r.path.replace(/\/\d+/g, "/{id}").replace(/\/job_statuses\/.+/, "/job_statuses/{id}")}`);

  beforeAll(async () => {
    sim = await startFreshsalesSimulator();
    one = connect(sim);
    two = connect(sim);
    await one.outbound.ensureSchema(ctx);
    await one.outbound.upsertCompanies([company("bu-cart")], ctx);
    await one.outbound.upsertPeople([person("p-cart", { companySourceId: "bu-cart" }), person("p-life")], ctx);
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push(Buffer.concat(chunks));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/freshsales`;
    for (const [module, name] of [["contacts", "contact"], ["deals", "deal"], ["sales_accounts", "sales_account"]] as const) {
      sim.addWorkflow({ module, url, headers: { "x-ct-crm-sync-secret": secret }, template: templateFor(name) });
    }
  });
  afterAll(async () => {
    await sim?.close();
    await new Promise((resolve) => receiver.close(resolve));
    expect(undocumented(sim.recorded)).toEqual([]);
  });

  it("writes a cart as one deal on its cart key, amount in major units, linked to the contact and the account, then flags it abandoned and closes it won with its order", async () => {
    const cart = deal("cart-1", "p-cart", { companySourceId: "bu-cart" });
    const [created] = await one.outbound.upsertDeals!([cart], ctx);
    expect(created).toMatchObject({ sourceId: "cart-1", ok: true, created: true });
    const [written] = await reader().lookup("deals", "cf_ct_cart_key", "ct-cart-cart-1");
    const [contact] = await reader().lookup("contacts", "cf_ct_customer_id", "p-cart");
    const [account] = await reader().lookup("sales_accounts", "cf_ct_business_unit_id", "bu-cart");
    expect(written).toMatchObject({
      id: Number(created!.ok && created!.crmId),
      name: "Cart · 3 items · berlin",
      amount: 123.45,
      deal_stage_id: 9001,
      contact_ids: [contact!.id],
      sales_account_id: account!.id,
      custom_field: { cf_ct_cart_status: "open", cf_ct_currency: "EUR", cf_ct_order_id: null, cf_ct_line_summary: cart.lineSummary, cf_ct_store_key: "berlin" },
    });
    // Sales moves it on; abandonment flags it and keeps their (open) stage.
    await fetch(`${sim.url}/deals/${written!.id}`, { method: "PUT", headers: { authorization: `Token token=${sim.salesApiKey}`, "content-type": "application/json" }, body: JSON.stringify({ deal: { deal_stage_id: 9002 } }) });
    await one.outbound.upsertDeals!([{ ...cart, sourceVersion: 2, status: "abandoned", statusAt: "2026-11-21T10:00:00.000Z" }], ctx);
    expect((await reader().lookup("deals", "cf_ct_cart_key", "ct-cart-cart-1"))[0]).toMatchObject({ deal_stage_id: 9002, custom_field: { cf_ct_cart_status: "abandoned" } });
    await one.outbound.upsertOrders([order("o-cart-1", "p-cart")], ctx);
    const [won] = await two.outbound.upsertDeals!([{ ...cart, sourceVersion: 3, status: "won", orderSourceId: "o-cart-1", orderNumber: "ON-o-cart-1", total: eur(13000) }], ctx);
    expect(won).toMatchObject({ ok: true, created: false, crmId: String(written!.id) });
    const deals = await reader().lookup("deals", "cf_ct_cart_key", "ct-cart-cart-1");
    expect(deals).toHaveLength(1);
    expect(deals[0]).toMatchObject({ amount: 130, deal_stage_id: 9003, custom_field: { cf_ct_cart_status: "won", cf_ct_cart_order_id: "o-cart-1", cf_ct_order_number: "ON-o-cart-1" } });
    // The order's own deal is the one carrying the same order ID in its key field.
    expect(await reader().lookup("deals", "cf_ct_order_id", "o-cart-1")).toHaveLength(1);
    const [lost] = await one.outbound.upsertDeals!([deal("cart-lost", "p-cart", { status: "lost" })], ctx);
    expect(lost).toMatchObject({ ok: true });
    expect((await reader().lookup("deals", "cf_ct_cart_key", "ct-cart-cart-lost"))[0]!.deal_stage_id).toBe(9004);
  });

  it("writes 150 carts in one bulk_upsert per hundred and their job reads; concurrent deliveries to two instances leave one deal", async () => {
    const carts = Array.from({ length: 150 }, (_, i) => deal(`cart-bulk-${i}`, "p-cart"));
    const before = sim.recorded.length;
    const outcomes = await one.outbound.upsertDeals!(carts, ctx);
    expect(outcomes.map((o) => o.sourceId)).toEqual(carts.map((c) => c.sourceId));
    expect(outcomes.every((o) => o.ok && o.created)).toBe(true);
    expect(since(before).filter((c) => c === "POST /deals/bulk_upsert")).toHaveLength(2);
    expect(since(before).every((c) => c === "POST /deals/bulk_upsert" || c === "GET /job_statuses/{id}")).toBe(true);

    const racing = deal("cart-race", "p-cart");
    const answers = await Promise.all([...Array.from({ length: 5 }, () => one.outbound.upsertDeals!([racing], ctx)), ...Array.from({ length: 5 }, () => two.outbound.upsertDeals!([racing], ctx))]);
    expect(answers.flat().every((o) => o.ok)).toBe(true);
    expect(new Set(answers.flat().map((o) => o.ok && o.crmId)).size).toBe(1);
    expect(await reader().lookup("deals", "cf_ct_cart_key", "ct-cart-cart-race")).toHaveLength(1);
  });

  it("refuses a cart whose customer has no contact yet as not_found, and one naming nobody as invalid, without writing either", async () => {
    const before = sim.store.records.deals.size;
    const [unknown, nobody] = await one.outbound.upsertDeals!([deal("cart-stranger", "p-stranger"), deal("cart-nobody", "p-cart", { personSourceId: undefined })], ctx);
    expect(unknown).toMatchObject({ ok: false, error: { errorClass: "not_found" } });
    expect(nobody).toMatchObject({ ok: false, error: { errorClass: "validation" } });
    expect(sim.store.records.deals.size).toBe(before);
  });

  it("notes each transition of an order once on the customer's contact, with its amount and date, however often and however concurrently it is delivered", async () => {
    await one.outbound.upsertOrders([order("o-life", "p-life")], ctx);
    const events = [
      orderEvent("o-life", "p-life", "paid", { amount: eur(12345) }),
      orderEvent("o-life", "p-life", "shipped", { detail: "tracking 1Z999" }),
      orderEvent("o-life", "p-life", "refunded", { occurrence: "tx-1", amount: eur(2000) }),
      orderEvent("o-life", "p-life", "refunded", { occurrence: "tx-2", amount: eur(500) }),
    ];
    const outcomes = await one.outbound.recordOrderEvents!(events, ctx);
    expect(outcomes.map((o) => o.sourceId)).toEqual(events.map((e) => e.sourceId));
    expect(outcomes.every((o) => o.ok && o.created)).toBe(true);
    const [contact] = await reader().lookup("contacts", "cf_ct_customer_id", "p-life");
    const notesNow = async () => ((await reader().get(`/contacts/${contact!.id}`, { include: "notes" })) as { notes: { id: number; description: string }[] }).notes;
    expect((await notesNow()).map((n) => n.description).sort()).toEqual(
      [
        "Order ON-o-life paid · 123.45 EUR\nOn 2026-11-21 10:00 UTC\ncommercetools order o-life · entry ct-order-o-life-paid",
        "Order ON-o-life shipped\ntracking 1Z999\nOn 2026-11-21 10:00 UTC\ncommercetools order o-life · entry ct-order-o-life-shipped",
        "Order ON-o-life refunded · 20.00 EUR\nOn 2026-11-21 10:00 UTC\ncommercetools order o-life · entry ct-order-o-life-refunded-tx-1",
        "Order ON-o-life refunded · 5.00 EUR\nOn 2026-11-21 10:00 UTC\ncommercetools order o-life · entry ct-order-o-life-refunded-tx-2",
      ].sort(),
    );
    // New entries delivered to two instances at once, five times each: both create, both re-check, both keep the oldest.
    const racing = [orderEvent("o-life", "p-life", "canceled"), orderEvent("o-life", "p-life", "returned", { occurrence: "r-race" })];
    const concurrent = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).outbound.recordOrderEvents!(racing, ctx)));
    expect(concurrent.flat().every((o) => o.ok)).toBe(true);
    const notes = await notesNow();
    expect(notes).toHaveLength(events.length + racing.length);
    for (const event of racing) expect(notes.filter((n) => n.description.endsWith(`entry ${event.sourceId}`))).toHaveLength(1);
    expect(concurrent.flat().every((o) => o.ok && notes.some((n) => String(n.id) === o.crmId))).toBe(true);
    // A redelivery reads the notes once and writes nothing.
    const before = sim.recorded.length;
    expect((await one.outbound.recordOrderEvents!(events, ctx)).every((o) => o.ok && !o.created)).toBe(true);
    expect(since(before)).toEqual(["GET /contacts/{id}"]);
  });

  it("notes an order of a business unit without a person on its sales account, and refuses one whose contact is gone until it is written again", async () => {
    const [unitEvent] = await one.outbound.recordOrderEvents!([orderEvent("o-b2b", "ignored", "paid", { personSourceId: undefined, companySourceId: "bu-cart" })], ctx);
    expect(unitEvent).toMatchObject({ ok: true, created: true });
    const [account] = await reader().lookup("sales_accounts", "cf_ct_business_unit_id", "bu-cart");
    expect(((await reader().get(`/sales_accounts/${account!.id}`, { include: "notes" })) as { notes: unknown[] }).notes).toHaveLength(1);

    await one.outbound.upsertPeople([person("p-deleted")], ctx);
    const [contact] = await reader().lookup("contacts", "cf_ct_customer_id", "p-deleted");
    await fetch(`${sim.url}/contacts/${contact!.id}`, { method: "DELETE", headers: { authorization: `Token token=${sim.salesApiKey}` } });
    const event = orderEvent("o-deleted", "p-deleted", "shipped");
    expect((await one.outbound.recordOrderEvents!([event], ctx))[0]).toMatchObject({ ok: false, error: { errorClass: "not_found" } });
    await one.outbound.upsertPeople([person("p-deleted")], ctx);
    expect((await one.outbound.recordOrderEvents!([event], ctx))[0]).toMatchObject({ ok: true, created: true });
  });

  it("reads people, companies and orders back for reconciliation by commercetools ID, one filtered search per hundred IDs", async () => {
    const reconcile = one.outbound.reconcile!;
    await one.outbound.upsertPeople(Array.from({ length: 30 }, (_, i) => person(`rs-${i}`)), ctx);
    const ids = Array.from({ length: 100 }, (_, i) => `rs-${i}`);
    const before = sim.recorded.length;
    const people = await reconcile.readSynced!("person", ids, ctx);
    expect(since(before)).toEqual(["POST /filtered_search/contact"]);
    expect(people.map((p) => p.sourceId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `rs-${i}`).sort());
    const listed = (await reconcile.listPeople(undefined, ctx)).people.find((p) => p.sourceId === "p-cart");
    expect((await reconcile.readSynced!("person", ["p-cart"], ctx))[0]).toEqual(listed);

    const [unit] = await reconcile.readSynced!("company", ["bu-cart", "bu-absent"], ctx);
    expect(unit).toMatchObject({ sourceId: "bu-cart", values: reconcile.expectedValues!(company("bu-cart")) });
    const theOrder = order("o-life", "p-life");
    const orders = await reconcile.readSynced!("order", ["o-life", "o-cart-1"], ctx);
    expect(orders.map((o) => o.sourceId).sort()).toEqual(["o-cart-1", "o-life"]);
    expect(orders.find((o) => o.sourceId === "o-life")!.values).toEqual(reconcile.expectedValues!(theOrder));
    expect(reconcile.expectedValues!(theOrder)).toEqual({ amount: 123.45, cf_ct_currency: "EUR", cf_ct_order_state: "Open", cf_ct_payment_state: "Pending" });
  });

  it("does not take its own cart deals and notes back as changes: their webhooks parse to nothing, polling skips them", async () => {
    const checkpoint = one.inbound.checkpointAt!(new Date().toISOString());
    await new Promise((resolve) => setTimeout(resolve, 5));
    await sim.settled();
    received.length = 0;
    await one.outbound.upsertDeals!([deal("cart-echo", "p-cart"), deal("cart-echo-2", "p-cart", { status: "abandoned" })], ctx);
    await one.outbound.recordOrderEvents!([orderEvent("o-life", "p-life", "returned", { occurrence: "r-1" })], ctx);
    await sim.settled();
    // The deals' workflow fired for both; the note changed no contact, so nothing else did.
    expect(received).toHaveLength(2);
    for (const body of received) expect(one.inbound.parse({ headers: { "x-ct-crm-sync-secret": secret }, query: {}, rawBody: body, receivedAt: new Date() }).changes).toEqual([]);
    for (const entity of ["deal", "person"] as const) expect((await one.inbound.changesSince!(entity, checkpoint, ctx)).changes).toEqual([]);
  });
});
