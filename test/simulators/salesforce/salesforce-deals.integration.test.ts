import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/salesforce/connector";
import { SyncError } from "@ct-crm-sync/core/domain/errors";
import { cartDealKey, orderActivityKey, orderEventKey } from "@ct-crm-sync/core/domain/keys";
import type { CartDeal, OrderActivity, OrderEvent, Person } from "@ct-crm-sync/core/domain/model";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { salesforceCall } from "../../support/salesforce-reader";
import { startSalesforceSimulator, type RunningSalesforceSimulator } from "./index";

const ctx = { correlationId: "corr-sf-deals" };
const eur = (centAmount: number) => ({ centAmount, currencyCode: "EUR", fractionDigits: 2 });

const person = (sourceId: string): Person => ({ kind: "person", sourceId, sourceVersion: 1, email: `${sourceId}@example.com`, lastName: sourceId });
const order = (sourceId: string, personSourceId: string): OrderActivity => ({
  kind: "order",
  sourceId,
  sourceVersion: 1,
  activityKey: orderActivityKey(sourceId),
  personSourceId,
  orderNumber: `ON-${sourceId}`,
  total: eur(12345),
  orderState: "Open",
  lines: [],
  lineSummary: "1 x Mug",
  createdAt: "2026-11-20T10:00:00.000Z",
});
const deal = (cartId: string, overrides: Partial<CartDeal> = {}): CartDeal => ({
  kind: "deal",
  sourceId: cartId,
  sourceVersion: 1,
  dealKey: cartDealKey(cartId),
  personSourceId: "p-buyer",
  title: "Cart · 1 item · berlin",
  total: eur(12345),
  status: "open",
  lines: [],
  lineSummary: "1 x Mug (SKU-1) 123.45 EUR",
  storeKey: "berlin",
  lastActivityAt: "2026-11-20T10:00:00.000Z",
  ...overrides,
});
const event = (orderId: string, type: OrderEvent["type"], overrides: Partial<OrderEvent> = {}): OrderEvent => ({
  kind: "order-event",
  sourceId: orderEventKey(orderId, type),
  orderSourceId: orderId,
  orderNumber: `ON-${orderId}`,
  orderActivityKey: orderActivityKey(orderId),
  personSourceId: "p-buyer",
  type,
  at: "2026-11-21T23:30:00.000Z",
  ...overrides,
});

/** Carts, the order timeline and reconciliation reads: the adapter's Salesforce-specific behaviour, against the simulator. */
describe("Salesforce adapter: carts, timeline, reconciliation reads", () => {
  let sim: RunningSalesforceSimulator;
  let adapter: CrmAdapter;
  const connect = () =>
    connector.connect(
      { SALESFORCE_LOGIN_URL: sim.url, SALESFORCE_CLIENT_ID: "sandbox-client", SALESFORCE_CLIENT_SECRET: "sandbox-secret", SALESFORCE_REQUESTS_PER_SECOND: "50" },
      { logger: new MemoryLogger(), clock: systemClock },
    ).outbound;
  const opportunity = (cartId: string) => sim.store.rows("Opportunity").filter((r) => r.CT_Cart_Key__c === cartDealKey(cartId));
  const task = (key: string) => sim.store.rows("Task").filter((r) => r.CT_Event_Key__c === key);
  /** Data requests the adapter makes during `run`. */
  const requestsDuring = async (run: () => Promise<unknown>) => {
    const before = sim.requests.length;
    await run();
    return sim.requests.slice(before).map((r) => `${r.method} ${r.path.split("?")[0]!.replace("/services/data/v62.0", "")}`);
  };

  beforeAll(async () => {
    // Pages of 2 rows: the org answers fewer rows a page than a query asks for.
    sim = await startSalesforceSimulator({ queryPageSize: 2 });
    adapter = connect();
    await adapter.ensureSchema(ctx);
    expect((await adapter.upsertPeople([person("p-buyer")], ctx))[0]?.ok).toBe(true);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("creates a cart's opportunity in the opening stage, then leaves the stage Sales gave it while the cart changes", async () => {
    const [created] = await adapter.upsertDeals!([deal("c-stage")], ctx);
    expect(created).toMatchObject({ ok: true, created: true, sourceId: "c-stage" });
    expect(opportunity("c-stage")[0]).toMatchObject({
      StageName: "Prospecting",
      CloseDate: "2026-11-27",
      Amount: 123.45,
      CT_Currency__c: "EUR",
      CT_Cart_Status__c: "Open",
      Description: "1 x Mug (SKU-1) 123.45 EUR",
      CT_Store_Key__c: "berlin",
      IsClosed: false,
    });
    const crmId = created!.ok ? created!.crmId : "";
    // A salesperson moves the opportunity on and sets their own close date.
    expect((await salesforceCall(sim.url, "PATCH", `/sobjects/Opportunity/${crmId}`, { StageName: "Negotiation/Review", CloseDate: "2026-12-24" })).status).toBe(204);

    await adapter.upsertDeals!([deal("c-stage", { sourceVersion: 2, total: eur(20000) })], ctx);
    await adapter.upsertDeals!([deal("c-stage", { sourceVersion: 3, total: eur(20000), status: "abandoned", statusAt: "2026-11-22T10:00:00.000Z" })], ctx);
    expect(opportunity("c-stage")).toEqual([
      expect.objectContaining({ StageName: "Negotiation/Review", CloseDate: "2026-12-24", Amount: 200, CT_Cart_Status__c: "Abandoned", IsClosed: false }),
    ]);
  });

  it("closes a won cart's opportunity on the day it was ordered, linked to the order record and carrying its number", async () => {
    await adapter.upsertOrders([order("o-won", "p-buyer")], ctx);
    await adapter.upsertDeals!([deal("c-won")], ctx);
    const won = deal("c-won", { sourceVersion: 2, status: "won", statusAt: "2026-11-23T09:00:00.000Z", orderSourceId: "o-won", orderNumber: "ON-o-won" });
    expect((await adapter.upsertDeals!([won], ctx))[0]).toMatchObject({ ok: true, created: false });
    const orderRecord = sim.store.rows("CT_Order__c").find((r) => r.CT_Order_Id__c === "o-won");
    expect(opportunity("c-won")).toEqual([
      expect.objectContaining({ StageName: "Closed Won", IsWon: true, CloseDate: "2026-11-23", CT_Cart_Status__c: "Ordered", CT_Order_Record__c: orderRecord?.Id, CT_Order_Number__c: "ON-o-won" }),
    ]);
  });

  it("writes a batch of carts in one query and one Collections call, refusing only the cart whose contact is not synced", async () => {
    const batch = [...Array.from({ length: 11 }, (_, i) => deal(`c-batch-${i}`)), deal("c-stranger", { personSourceId: "p-never-synced" })];
    let outcomes: Awaited<ReturnType<NonNullable<CrmAdapter["upsertDeals"]>>> = [];
    const requests = await requestsDuring(async () => (outcomes = await adapter.upsertDeals!(batch, ctx)));
    expect(requests).toEqual(["GET /query", "PATCH /composite/sobjects/Opportunity/CT_Cart_Key__c"]);
    expect(outcomes.map((o) => o.sourceId)).toEqual(batch.map((d) => d.sourceId));
    expect(outcomes.slice(0, 11).every((o) => o.ok)).toBe(true);
    expect(outcomes[11]).toMatchObject({ ok: false, error: { errorClass: "not_found" } });
  });

  it("writes each order transition as a completed Task on the contact and the order record, and leaves an entry already there alone", async () => {
    await adapter.upsertOrders([order("o-life", "p-buyer")], ctx);
    const refund = event("o-life", "refunded", { sourceId: orderEventKey("o-life", "refunded", "tx-1"), amount: eur(2000), detail: "refund tx-1" });
    const events = [event("o-life", "paid", { amount: eur(12345) }), refund];
    const first = await adapter.recordOrderEvents!(events, ctx);
    expect(first.map((o) => o.ok && o.created)).toEqual([true, true]);
    const contact = sim.store.rows("Contact").find((r) => r.CT_Customer_Id__c === "p-buyer");
    const orderRecord = sim.store.rows("CT_Order__c").find((r) => r.CT_Order_Id__c === "o-life");
    expect(task(refund.sourceId)).toEqual([
      expect.objectContaining({
        Subject: "Order ON-o-life refunded 20.00 EUR",
        Status: "Completed",
        ActivityDate: "2026-11-21",
        Description: "refund tx-1",
        CT_Event_Type__c: "refunded",
        CT_Amount__c: 20,
        CT_Currency__c: "EUR",
        WhoId: contact?.Id,
        WhatId: orderRecord?.Id,
      }),
    ]);

    // A salesperson adds to the entry; the redelivered event finds it and writes nothing.
    const paidId = task(events[0]!.sourceId)[0]!.Id;
    await salesforceCall(sim.url, "PATCH", `/sobjects/Task/${paidId}`, { Description: "called the customer" });
    let again: Awaited<ReturnType<NonNullable<CrmAdapter["recordOrderEvents"]>>> = [];
    const requests = await requestsDuring(async () => (again = await adapter.recordOrderEvents!(events, ctx)));
    expect(requests).toEqual(["GET /query"]);
    expect(again).toEqual([
      { sourceId: events[0]!.sourceId, ok: true, crmId: paidId, created: false },
      { sourceId: refund.sourceId, ok: true, crmId: task(refund.sourceId)[0]!.Id, created: false },
    ]);
    expect(task(events[0]!.sourceId)[0]?.Description).toBe("called the customer");
  });

  it("reads synced records by commercetools ID, one query per 100 IDs, a quote in an ID escaped", async () => {
    const reconcile = adapter.reconcile!;
    const people = [person("rs-1"), person("rs-o'brien")];
    await adapter.upsertPeople(people, ctx);
    const ids = [...people.map((p) => p.sourceId), ...Array.from({ length: 148 }, (_, i) => `rs-absent-${i}`)];
    let records: Awaited<ReturnType<NonNullable<typeof reconcile.readSynced>>> = [];
    const requests = await requestsDuring(async () => (records = await reconcile.readSynced!("person", ids, ctx)));
    expect(requests).toEqual(["GET /query", "GET /query"]);
    expect(records.map((r) => r.sourceId).sort()).toEqual(["rs-1", "rs-o'brien"]);
    expect(records.find((r) => r.sourceId === "rs-o'brien")?.values).toMatchObject(reconcile.expectedPersonValues(people[1]!));
  });

  it("lists contacts by a cursor that is a position, not a query locator: another connection goes on from it, a foreign one is refused", async () => {
    const reconcile = adapter.reconcile!;
    const first = await reconcile.listPeople(undefined, ctx);
    expect(first.people).toHaveLength(2);
    expect(first.cursor).toBeDefined();
    const seen = [...first.people.map((p) => p.sourceId)];
    // A later scheduled run: a new connection, the org's query locators long gone.
    const later = connect().reconcile!;
    let cursor = first.cursor;
    while (cursor) {
      const page = await later.listPeople(cursor, ctx);
      seen.push(...page.people.map((p) => p.sourceId));
      cursor = page.cursor;
    }
    const all = sim.store.rows("Contact").flatMap((r) => (typeof r.CT_Customer_Id__c === "string" ? [r.CT_Customer_Id__c] : []));
    expect(seen.sort()).toEqual(all.sort());
    const error = await reconcile.listPeople("/services/data/v62.0/query/01g5g00000SIM001-2", ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).details).toMatchObject({ errorClass: "validation", code: "INVALID_QUERY_LOCATOR" });
  });
});
