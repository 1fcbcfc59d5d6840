import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/freshsales/connector";
import { freshsalesApi } from "@ct-crm-sync/core/crm/freshsales/connection";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import type { Person } from "@ct-crm-sync/core/domain/model";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { company, order, person } from "../../conformance/fixtures";
import { startFreshsalesSimulator, type FreshsalesSimulator } from ".";
import { freshsalesReader } from "./reader";
import { undocumented } from "./spec/paths";

const ctx = { correlationId: "fs-adapter-test" };

/** The adapter as the apps build it, paced fast enough for a test (the simulator's budget is what is under test, not the clock). */
function connect(sim: FreshsalesSimulator, settings: Record<string, string> = {}): CrmAdapter {
  const all = { FRESHSALES_API_URL: sim.url, FRESHSALES_API_KEY: sim.apiKey, FRESHSALES_REQUESTS_PER_SECOND: "50", FRESHSALES_HOURLY_BUDGET: "5000", ...settings };
  return connector.connect(all, { logger: new MemoryLogger(), clock: systemClock }).outbound;
}

describe("Freshsales adapter against the simulator", () => {
  let sim: FreshsalesSimulator;
  let crm: CrmAdapter;
  const calls = () => sim.recorded.length;

  beforeAll(async () => {
    sim = await startFreshsalesSimulator();
    crm = connect(sim);
    await crm.ensureSchema(ctx);
  });
  afterAll(async () => {
    await sim?.close();
    expect(undocumented(sim.recorded)).toEqual([]);
  });
  beforeEach(() => {
    sim.budget.configure({ perHour: 5_000, perMinute: 400, retryAfter: true });
  });

  it("sends the API key as `Token token=<key>` and each call's correlation ID, to the bundle, legacy or bare account address", async () => {
    await crm.upsertPeople([person("p-auth")], ctx);
    expect(sim.recorded.at(-1)).toMatchObject({ method: "POST", path: "/contacts/upsert", status: 201, base: "bundle", correlationId: ctx.correlationId });
    const legacy = connect(sim, { FRESHSALES_API_URL: sim.legacyUrl });
    await legacy.upsertPeople([person("p-legacy")], ctx);
    expect(sim.recorded.at(-1)).toMatchObject({ path: "/contacts/upsert", base: "legacy" });
    // The bare address of a myfreshworks.com bundle gets /crm/sales/api; of a freshsales.io domain, /api.
    expect(connector.settings.FRESHSALES_API_URL!.schema.parse("https://acme.myfreshworks.com")).toBe("https://acme.myfreshworks.com/crm/sales/api");
    expect(connector.settings.FRESHSALES_API_URL!.schema.parse("https://acme.freshsales.io/")).toBe("https://acme.freshsales.io/api");
    expect(connector.settings.FRESHSALES_API_URL!.schema.safeParse("https://acme.myfreshworks.com/crm/sales").success).toBe(false);
  });

  it("costs two calls per hundred when a burst of 1,000 customer changes arrives one record a call: bulk jobs and their status", async () => {
    const burst = Array.from({ length: 1_000 }, (_, i) => person(`burst-${i}`));
    const before = calls();
    const outcomes = await Promise.all(burst.map((p) => crm.upsertPeople([p], { correlationId: `push-${p.sourceId}` })));
    const spent = calls() - before;
    expect(outcomes.flat().every((o) => o.ok)).toBe(true);
    expect(outcomes.flat().map((o) => o.sourceId)).toEqual(burst.map((p) => p.sourceId));
    // ⌈1000/100⌉ bulk_upsert requests and one status read of each job; nothing else.
    expect(spent).toBeLessThanOrEqual(2 * Math.ceil(1_000 / 100) + 2);
    const kinds = new Set(sim.recorded.slice(before).map((r) => `${r.method} ${r.path.replace(/\/job_statuses\/.+/, "/job_statuses/{id}")}`));
    expect(kinds).toEqual(new Set(["POST /contacts/bulk_upsert", "GET /job_statuses/{id}"]));
    expect(sim.recorded.slice(before).filter((r) => r.path === "/contacts/bulk_upsert")).toHaveLength(10);
    expect(sim.store.records.contacts.size).toBeGreaterThanOrEqual(1_000);
  }, 60_000);

  it("writes a backfill through the bulk path: 2,000 people in one call at two calls per hundred", async () => {
    const people = Array.from({ length: 2_000 }, (_, i) => person(`fill-${i}`));
    const before = calls();
    const outcomes = await crm.bulk!.upsertPeople(people, ctx);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2_000);
    expect(outcomes.filter((o) => o.ok && o.created)).toHaveLength(2_000);
    expect(calls() - before).toBe(2 * 20);
    // Again: every one found by its ID and updated, none created.
    const again = await crm.bulk!.upsertPeople(people.slice(0, 300), ctx);
    expect(again.every((o) => o.ok && !o.created)).toBe(true);
  }, 60_000);

  it("adopts a contact sales made by hand that holds the person's email, and refuses one that belongs to another customer", async () => {
    const reader = freshsalesReader(sim.url, sim.apiKey);
    await fetch(`${sim.url}/contacts`, {
      method: "POST",
      headers: { authorization: `Token token=${sim.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ contact: { first_name: "Hand", last_name: "Made", email: "p-adopt@example.com" } }),
    });
    const [adopted] = await crm.upsertPeople([person("p-adopt")], ctx);
    expect(adopted).toMatchObject({ ok: true, created: false });
    const held = await reader.lookup("contacts", "email", "p-adopt@example.com");
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ first_name: "Jane", last_name: "Doe-p-adopt", custom_field: { cf_ct_customer_id: "p-adopt" } });

    // A second commercetools customer with the same email (store-scoped customers): nothing written, for review.
    const [second] = await crm.upsertPeople([person("p-adopt-twin", { email: "p-adopt@example.com" })], ctx);
    expect(second).toMatchObject({ ok: false, error: { errorClass: "ambiguous_match", fields: { "candidate.1": `${held[0]!.id} (commercetools p-adopt)` } } });
    expect(await reader.lookup("contacts", "cf_ct_customer_id", "p-adopt-twin")).toEqual([]);
  });

  it("moves an order's deal to Won when paid and Lost when cancelled, and leaves an open deal's stage to sales", async () => {
    const reader = freshsalesReader(sim.url, sim.apiKey);
    const stageOf = async (orderId: string) => (await reader.lookup("deals", "cf_ct_order_id", orderId))[0]!.deal_stage_id;
    await crm.upsertPeople([person("p-deal")], ctx);
    await crm.upsertOrders([order("o-open", "p-deal"), order("o-paid", "p-deal", { paymentState: "Paid" }), order("o-cancel", "p-deal", { orderState: "Cancelled" })], ctx);
    expect([await stageOf("o-open"), await stageOf("o-paid"), await stageOf("o-cancel")]).toEqual([9001, 9003, 9004]);
    // Sales moves the open deal on; a change of the order that leaves it open keeps their stage.
    const deal = (await reader.lookup("deals", "cf_ct_order_id", "o-open"))[0]!;
    await fetch(`${sim.url}/deals/${deal.id}`, {
      method: "PUT",
      headers: { authorization: `Token token=${sim.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ deal: { deal_stage_id: 9002 } }),
    });
    await crm.upsertOrders([order("o-open", "p-deal", { shipmentState: "Shipped" })], ctx);
    expect(await stageOf("o-open")).toBe(9002);
    expect((await reader.lookup("deals", "cf_ct_order_id", "o-open"))[0]).toMatchObject({ amount: 123.45, custom_field: { cf_ct_shipment_state: "Shipped", cf_ct_currency: "EUR" } });
  });

  it("links a deal to a contact another connection wrote (looked up), or starts a minimal one for a customer not synced yet", async () => {
    const other = connect(sim);
    await other.upsertPeople([person("p-elsewhere")], ctx);
    const before = calls();
    await crm.upsertOrders([order("o-elsewhere", "p-elsewhere")], ctx);
    expect(sim.recorded.slice(before).map((r) => r.path)).toEqual(["/lookup", "/deals/upsert"]);
    await crm.upsertOrders([order("o-early", "p-not-yet")], ctx);
    const reader = freshsalesReader(sim.url, sim.apiKey);
    const [contact] = await reader.lookup("contacts", "cf_ct_customer_id", "p-not-yet");
    expect(contact).toMatchObject({ email: "p-not-yet@example.com", first_name: null });
    expect((await reader.lookup("deals", "cf_ct_order_id", "o-early"))[0]!.contact_ids).toEqual([contact!.id]);
    // The customer's own sync completes the same contact.
    await crm.upsertPeople([person("p-not-yet")], ctx);
    expect(await reader.lookup("contacts", "cf_ct_customer_id", "p-not-yet")).toEqual([expect.objectContaining({ id: contact!.id, first_name: "Jane" })]);
  });

  it("holds divisions under their parent account and associates on their unit's account; a unit not synced is not_found", async () => {
    const outcomes = await crm.upsertCompanies([company("bu-div", { unitType: "Division", parentSourceId: "bu-top", name: "Div" }), company("bu-top", { name: "Top" })], ctx);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const reader = freshsalesReader(sim.url, sim.apiKey);
    const [top] = await reader.lookup("sales_accounts", "cf_ct_business_unit_id", "bu-top");
    expect((await reader.lookup("sales_accounts", "cf_ct_business_unit_id", "bu-div"))[0]!.parent_sales_account_id).toBe(top!.id);
    const [associate, stray] = await crm.upsertPeople([person("p-assoc", { companySourceId: "bu-div" }), person("p-stray", { companySourceId: "bu-nowhere" })], ctx);
    expect(associate).toMatchObject({ ok: true });
    expect(stray).toMatchObject({ ok: false, error: { errorClass: "not_found" } });
  });

  it("forgets an ID Freshsales no longer holds: the next write looks it up again", async () => {
    await crm.upsertPeople([person("p-gone")], ctx);
    const reader = freshsalesReader(sim.url, sim.apiKey);
    const [contact] = await reader.lookup("contacts", "cf_ct_customer_id", "p-gone");
    await fetch(`${sim.url}/contacts/${contact!.id}`, { method: "DELETE", headers: { authorization: `Token token=${sim.apiKey}` } });
    const [refused] = await crm.upsertOrders([order("o-gone", "p-gone")], ctx);
    expect(refused).toMatchObject({ ok: false, error: { errorClass: "validation", message: "Freshsales: Contact does not exist" } });
    const [written] = await crm.upsertOrders([order("o-gone", "p-gone")], ctx);
    expect(written).toMatchObject({ ok: true });
    const [replacement] = await reader.lookup("contacts", "cf_ct_customer_id", "p-gone");
    expect((await reader.lookup("deals", "cf_ct_order_id", "o-gone"))[0]!.contact_ids).toEqual([replacement!.id]);
  });

  it("takes a 429 without Retry-After as throttling the retry policy backs off from, and holds the connection's requests meanwhile", async () => {
    sim.budget.configure({ perMinute: 0, retryAfter: false });
    const error = await crm.upsertPeople([person("p-429")], ctx).catch((e: unknown) => e);
    expect(error).toMatchObject({ errorClass: "throttled", details: { status: 429 } });
    expect((error as { details: { retryAfterSeconds?: number } }).details.retryAfterSeconds).toBeUndefined();
    sim.budget.configure({ perMinute: 400 });
    const started = Date.now();
    await crm.upsertPeople([person("p-429")], ctx);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
  }, 20_000);

  it("spends its hourly allowance as a burst, then spreads calls across the hour, keeping the configured share for others", () => {
    // 1,000 an hour with 20 % kept for others: 800, of which 80 at once; the rest one every 5 s.
    const api = freshsalesApi({ baseUrl: sim.url, apiKey: sim.apiKey, limits: { maxBatchSize: 100, requestsPerSecond: 6, maxConcurrency: 4 }, allowance: { calls: 800, windowSeconds: 3_600, maxWaitMs: 60_000 } });
    const allowance = api.pacer.allowance;
    return (async () => {
      for (let i = 0; i < 80; i++) await allowance.take();
      expect(allowance.waitMs).toBeGreaterThan(4_900);
      expect(allowance.waitMs).toBeLessThanOrEqual(5_000);
    })();
  });

  it("tells the event path how much of the hour's burst it has spent, so a burst beyond it can step back", async () => {
    // 100 an hour, none kept back: 10 at once, then one every 40 s.
    const small = connect(sim, { FRESHSALES_HOURLY_BUDGET: "100", FRESHSALES_BUDGET_RESERVE_PERCENT: "0" });
    expect(small.budget!()).toEqual({ queueFull: false, allowanceUsed: 0 });
    for (let i = 0; i < 5; i++) await small.upsertPeople([person(`budget-${i}`)], ctx);
    expect(small.budget!().allowanceUsed).toBeCloseTo(0.5, 1);
  });

  it("reads the synced population back page by page for reconciliation, and deletes orphans", async () => {
    const reconcile = crm.reconcile!;
    const seen = new Map<string, string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await reconcile.listPeople(cursor, ctx);
      for (const p of page.people) seen.set(p.sourceId, p.crmId);
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(sim.store.records.contacts.size / 100));
    expect(seen.has("burst-999")).toBe(true);
    const values = (await reconcile.listPeople(undefined, ctx)).people.find((p) => p.sourceId === "p-auth")!.values;
    const expected = reconcile.expectedPersonValues(person("p-auth") as Person);
    expect(Object.fromEntries(Object.keys(expected).map((k) => [k, values[k]]))).toEqual(expected);
    await reconcile.deletePerson(seen.get("p-auth")!, ctx);
    await reconcile.deletePerson(seen.get("p-auth")!, ctx);
    expect(await crm.findPeople({ sourceId: "p-auth" }, ctx)).toEqual([]);
  });

  it("names the custom fields an account lacks, and the missing Won stage, at set-up", async () => {
    const bare = await startFreshsalesSimulator({ installConnectorFields: false });
    try {
      const error = await connect(bare).ensureSchema(ctx).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorClass: "validation", message: expect.stringContaining("contacts.cf_ct_customer_id") });
      expect((error as Error).message).toContain("deals.cf_ct_order_id");
      const fieldsThere = await startFreshsalesSimulator();
      fieldsThere.store.stages.splice(2, 1);
      await expect(connect(fieldsThere).ensureSchema(ctx)).rejects.toMatchObject({ message: expect.stringContaining("no Won or no Lost stage") });
      await fieldsThere.close();
    } finally {
      await bare.close();
    }
  });
});
