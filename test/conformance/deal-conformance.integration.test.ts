import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartDealKey, orderActivityKey } from "@ct-crm-sync/core/domain/keys";
import type { CartDeal, OrderEvent } from "@ct-crm-sync/core/domain/model";
import type { WriteOutcome } from "@ct-crm-sync/core/ports/crm-outbound";
import { conformanceTargets } from "./targets";
import { type ConformanceTarget, type InspectedDeal, type InspectedTimelineEntry, type RunningTarget, testContext } from "./target";
import { deal, order, orderEvent, person } from "./fixtures";

const ctx = testContext("deals");


/** The deal of a cart, whichever of its keys the CRM stores. */
const dealOf = (deals: InspectedDeal[], cartId: string) => deals.filter((d) => d.dealKey === cartDealKey(cartId) || d.dealKey === cartId);
const isOrder = (orderId: string) => (value: string | undefined) => value === orderId || value === orderActivityKey(orderId);
const crmIdOf = (outcome: WriteOutcome | undefined) => (outcome?.ok ? outcome.crmId : undefined);

/** Starts a target with its schema and one written person. */
async function startWithPerson(target: ConformanceTarget, personId: string): Promise<RunningTarget> {
  const crm = await target.start();
  await crm.adapter.ensureSchema(ctx);
  const [written] = await crm.adapter.upsertPeople([person(personId)], ctx);
  expect(written?.ok).toBe(true);
  return crm;
}

describe.each(conformanceTargets)("CRM deal conformance: $name", (target) => {
  let crm: RunningTarget;
  const upsertDeals = (deals: CartDeal[]) => crm.adapter.upsertDeals(deals, ctx);
  const deals = () => crm.inspect.deals();
  beforeAll(async () => {
    crm = await startWithPerson(target, "p-deal");
  });
  afterAll(async () => {
    await crm?.close();
  });

  it("creates an open deal for a written person, its amount in major units, linked to that person", async () => {
    const [outcome] = await upsertDeals([deal("cart-create", "p-deal")]);
    expect(outcome).toMatchObject({ sourceId: "cart-create", ok: true, created: true });
    const found = dealOf(await deals(), "cart-create");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ personSourceId: "p-deal", amount: 123.45, status: "open" });
    expect(found[0]?.crmId).toBe(crmIdOf(outcome));
  });

  it("updates the same deal when the cart's amount changes", async () => {
    const [first] = await upsertDeals([deal("cart-update", "p-deal")]);
    const changed = deal("cart-update", "p-deal", { sourceVersion: 2, total: { centAmount: 45600, currencyCode: "EUR", fractionDigits: 2 } });
    const [second] = await upsertDeals([changed]);
    expect(second).toMatchObject({ ok: true, created: false });
    expect(crmIdOf(second)).toBe(crmIdOf(first));
    const found = dealOf(await deals(), "cart-update");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ amount: 456, status: "open" });
  });

  it("leaves one deal after ten redeliveries and ten concurrent deliveries", async () => {
    for (let i = 0; i < 10; i++) expect((await upsertDeals([deal("cart-redelivered", "p-deal")]))[0]?.ok).toBe(true);
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => upsertDeals([deal("cart-concurrent", "p-deal")])));
    expect(concurrent.flat().every((o) => o.ok)).toBe(true);
    const all = await deals();
    expect(dealOf(all, "cart-redelivered")).toHaveLength(1);
    expect(dealOf(all, "cart-concurrent")).toHaveLength(1);
  });

  it("flags an abandoned cart's deal abandoned, still open", async () => {
    await upsertDeals([deal("cart-abandoned", "p-deal")]);
    const [outcome] = await upsertDeals([deal("cart-abandoned", "p-deal", { sourceVersion: 2, status: "abandoned", statusAt: "2026-11-21T10:00:00.000Z" })]);
    expect(outcome?.ok).toBe(true);
    const found = dealOf(await deals(), "cart-abandoned");
    expect(found).toHaveLength(1);
    expect(found[0]?.status).toBe("abandoned");
  });

  it("closes a deal as won, linked to the order written by upsertOrders", async () => {
    await upsertDeals([deal("cart-won", "p-deal")]);
    const theOrder = order("o-won", "p-deal");
    expect((await crm.adapter.upsertOrders([theOrder], ctx))[0]?.ok).toBe(true);
    const won = deal("cart-won", "p-deal", { sourceVersion: 2, status: "won", statusAt: "2026-11-21T10:00:00.000Z", orderSourceId: "o-won", orderNumber: "ON-o-won" });
    expect((await upsertDeals([won]))[0]?.ok).toBe(true);
    const found = dealOf(await deals(), "cart-won");
    expect(found).toHaveLength(1);
    expect(found[0]?.status).toBe("won");
    expect(isOrder("o-won")(found[0]?.orderSourceId)).toBe(true);
  });

  it("closes a deal as lost", async () => {
    await upsertDeals([deal("cart-lost", "p-deal")]);
    expect((await upsertDeals([deal("cart-lost", "p-deal", { sourceVersion: 2, status: "lost", statusAt: "2026-11-21T10:00:00.000Z" })]))[0]?.ok).toBe(true);
    const found = dealOf(await deals(), "cart-lost");
    expect(found).toHaveLength(1);
    expect(found[0]?.status).toBe("lost");
  });

  it("answers one outcome per deal, in input order", async () => {
    const batch = Array.from({ length: 12 }, (_, i) => deal(`cart-batch-${i}`, "p-deal"));
    const outcomes = await upsertDeals(batch);
    expect(outcomes.map((o) => o.sourceId)).toEqual(batch.map((d) => d.sourceId));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const all = await deals();
    for (const d of batch) expect(dealOf(all, d.sourceId)).toHaveLength(1);
  });
});

describe.each(conformanceTargets)("CRM order timeline conformance: $name", (target) => {
  let crm: RunningTarget;
  const record = (events: OrderEvent[]) => crm.adapter.recordOrderEvents(events, ctx);
  const entriesOf = async (orderId: string): Promise<InspectedTimelineEntry[]> =>
    (await crm.inspect.orderEvents()).filter((e) => isOrder(orderId)(e.orderSourceId) || e.key?.startsWith(`${orderActivityKey(orderId)}-`));
  beforeAll(async () => {
    crm = await startWithPerson(target, "p-timeline");
  });
  afterAll(async () => {
    await crm?.close();
  });

  /** Every transition of one order: paid, shipped, a refund, a return, canceled. */
  const lifeOf = (orderId: string): OrderEvent[] => [
    orderEvent(orderId, "p-timeline", "paid", { amount: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 } }),
    orderEvent(orderId, "p-timeline", "shipped", { detail: "shipped" }),
    orderEvent(orderId, "p-timeline", "refunded", { occurrence: "tx-1", amount: { centAmount: 2000, currencyCode: "EUR", fractionDigits: 2 } }),
    orderEvent(orderId, "p-timeline", "returned", { occurrence: "r-1", detail: "1 item returned" }),
    orderEvent(orderId, "p-timeline", "canceled"),
  ];

  it("writes each transition of one order as one entry, with its amount in major units, answering in input order", async () => {
    expect((await crm.adapter.upsertOrders([order("o-life", "p-timeline")], ctx))[0]?.ok).toBe(true);
    const events = lifeOf("o-life");
    const outcomes = await record(events);
    expect(outcomes.map((o) => o.sourceId)).toEqual(events.map((e) => e.sourceId));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const entries = await entriesOf("o-life");
    expect(entries).toHaveLength(events.length);
    for (const event of events) expect(entries.filter((e) => e.key === event.sourceId)).toHaveLength(1);
    expect(entries.find((e) => e.key === events[0]!.sourceId)?.amount).toBe(123.45);
    expect(entries.find((e) => e.key === events[2]!.sourceId)?.amount).toBe(20);
    expect(new Set(entries.map((e) => e.type))).toEqual(new Set(["paid", "shipped", "refunded", "returned", "canceled"]));
  });

  it("leaves one entry each after ten redeliveries and ten concurrent deliveries", async () => {
    expect((await crm.adapter.upsertOrders([order("o-again", "p-timeline")], ctx))[0]?.ok).toBe(true);
    const events = lifeOf("o-again");
    for (let i = 0; i < 10; i++) expect((await record(events)).every((o) => o.ok)).toBe(true);
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => record(events)));
    expect(concurrent.flat().every((o) => o.ok)).toBe(true);
    const entries = await entriesOf("o-again");
    for (const event of events) expect(entries.filter((e) => e.key === event.sourceId)).toHaveLength(1);
    expect(entries).toHaveLength(events.length);
  });
});
