import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/close/connector";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { deal, order, orderEvent, person } from "../../conformance/fixtures";
import { startCloseSimulator, type CloseSimulator } from "./index";
import { checkRequests } from "./spec/contract";

/**
 * Carts as opportunities and order transitions as activities, against the
 * simulator: Close's own state (the store) after several processes write at
 * once, the statuses Sales sees, the requests a batch costs.
 */
let sim: CloseSimulator;
const ctx = { correlationId: "close-deals-test" };
/** A fresh adapter = a separate process: its own schema cache, lock table and pacer. */
const adapter = (): CrmAdapter => connector.connect({ CLOSE_API_URL: sim.url, CLOSE_API_KEY: sim.apiKey }, { logger: new MemoryLogger(), clock: systemClock }).outbound;

const fieldId = (scope: string, name: string) => [...sim.store.customFields.values()].find((f) => f.scope === scope && f.name === name)!.id;
const opportunitiesOf = (cartId: string) => [...sim.store.opportunities.values()].filter((o) => o.custom.get(fieldId("opportunity", "ct_deal_key")) === `ct-cart-${cartId}`);
const statusOf = (statusId: string) => sim.store.opportunityStatuses.find((s) => s.id === statusId)!;
const eventsWithKey = (key: string) => [...sim.store.activities.values()].filter((a) => a.custom.get(fieldId("activity", "ct_event_key")) === key);

beforeAll(async () => {
  sim = await startCloseSimulator();
  await adapter().upsertPeople([person("p-cart")], ctx);
});
afterAll(async () => {
  await sim.close();
});

describe("Close cart opportunities", () => {
  it("creates the Abandoned cart status once, active in the org's pipeline, when processes set up together", async () => {
    await Promise.all([adapter().ensureSchema(ctx), adapter().ensureSchema(ctx), adapter().ensureSchema(ctx)]);
    const abandoned = sim.store.opportunityStatuses.filter((s) => s.label === "Abandoned cart");
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]).toMatchObject({ type: "active", pipeline_id: sim.store.pipelines[0]!.id });
  });

  it("writes a cart as one opportunity on the customer's lead and contact: value in cents, lines in the note", async () => {
    const [outcome] = await adapter().upsertDeals!([deal("c-1", "p-cart")], ctx);
    expect(outcome).toMatchObject({ ok: true, created: true });
    const [opportunity] = opportunitiesOf("c-1");
    const contact = [...sim.store.contacts.values()].find((c) => c.custom.get(fieldId("contact", "ct_customer_id")) === "p-cart")!;
    expect(opportunity).toMatchObject({ lead_id: contact.lead_id, contact_id: contact.id, value: 12345, value_currency: "EUR", value_period: "one_time" });
    expect(opportunity!.note).toContain("1 x Coffee grinder (SKU-2) 103.45 EUR");
    expect(statusOf(opportunity!.status_id)).toMatchObject({ label: "Active", type: "active" });
  });

  it("leaves one opportunity when three processes write the same new cart at once", async () => {
    const outcomes = (await Promise.all([adapter(), adapter(), adapter()].map((a) => a.upsertDeals!([deal("c-race", "p-cart")], ctx)))).flat();
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(opportunitiesOf("c-race")).toHaveLength(1);
  });

  it("moves an abandoned cart to the Abandoned cart status (still open), then to won with its order when it is ordered", async () => {
    const a = adapter();
    await a.upsertDeals!([deal("c-life", "p-cart")], ctx);
    await a.upsertDeals!([deal("c-life", "p-cart", { sourceVersion: 2, status: "abandoned", statusAt: "2026-11-21T10:00:00.000Z" })], ctx);
    expect(statusOf(opportunitiesOf("c-life")[0]!.status_id)).toMatchObject({ label: "Abandoned cart", type: "active" });
    await a.upsertOrders([order("o-life", "p-cart")], ctx);
    await a.upsertDeals!([deal("c-life", "p-cart", { sourceVersion: 3, status: "won", orderSourceId: "o-life", orderNumber: "ON-o-life" })], ctx);
    const [won] = opportunitiesOf("c-life");
    expect(statusOf(won!.status_id).type).toBe("won");
    expect(won!.date_won).not.toBeNull();
    expect(won!.custom.get(fieldId("opportunity", "ct_order_id"))).toBe("o-life");
    expect(won!.note).toContain("Ordered as order ON-o-life.");
  });

  it("finds a batch's customers with one search, then lists, creates and re-checks per cart", async () => {
    const a = adapter();
    await a.ensureSchema(ctx);
    const carts = Array.from({ length: 5 }, (_, i) => deal(`c-batch-${i}`, "p-cart"));
    sim.requests.length = 0;
    const outcomes = await a.upsertDeals!(carts, ctx);
    expect(outcomes.map((o) => o.sourceId)).toEqual(carts.map((c) => c.sourceId));
    expect(sim.requests.filter((r) => r.path.endsWith("/data/search/"))).toHaveLength(1);
    expect(sim.requests.length).toBe(1 + 3 * carts.length);
  });
});

describe("Close order timeline", () => {
  const life = (orderId: string) => [
    orderEvent(orderId, "p-cart", "paid", { amount: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 } }),
    orderEvent(orderId, "p-cart", "refunded", { occurrence: "tx-1", amount: { centAmount: 2000, currencyCode: "EUR", fractionDigits: 2 } }),
  ];

  it("writes each transition as one activity dated when it happened, titled for the timeline", async () => {
    const events = life("o-tl");
    const outcomes = await adapter().recordOrderEvents!(events, ctx);
    expect(outcomes.map((o) => o.ok && o.created)).toEqual([true, true]);
    const [refund] = eventsWithKey(events[1]!.sourceId);
    expect(refund).toMatchObject({ activity_at: "2026-11-21T10:00:00.000Z", status: "published" });
    expect(refund!.custom.get(fieldId("activity", "ct_summary"))).toBe("Order ON-o-tl refunded 20.00 EUR");
    expect(refund!.custom.get(fieldId("activity", "ct_amount"))).toBe(20);
  });

  it("leaves one activity per transition when three processes record the same events at once, and one already there alone", async () => {
    const events = life("o-tl-race");
    await Promise.all([adapter(), adapter(), adapter()].map((a) => a.recordOrderEvents!(events, ctx)));
    for (const e of events) expect(eventsWithKey(e.sourceId)).toHaveLength(1);
    const before = eventsWithKey(events[0]!.sourceId)[0]!.date_updated;
    const [again] = await adapter().recordOrderEvents!([{ ...events[0]!, detail: "a later derivation" }], ctx);
    expect(again).toMatchObject({ ok: true, created: false });
    expect(eventsWithKey(events[0]!.sourceId)[0]!.date_updated).toBe(before);
  });

  it("records a batch of one lead's events with one search, one list, the creates and one re-check", async () => {
    const a = adapter();
    await a.ensureSchema(ctx);
    const events = life("o-tl-batch");
    sim.requests.length = 0;
    await a.recordOrderEvents!(events, ctx);
    expect(sim.requests.map((r) => `${r.method} ${r.path.replace(/\/api\/v1/, "")}`)).toEqual([
      "POST /data/search/",
      "GET /activity/custom/",
      "POST /activity/custom/",
      "POST /activity/custom/",
      "GET /activity/custom/",
    ]);
  });
});

it("spoke only Close's published dialect", () => {
  expect(checkRequests(sim.recorded)).toEqual([]);
});
