import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/close/connector";
import { SyncError } from "@ct-crm-sync/core/domain/errors";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { company, order, person } from "../../conformance/fixtures";
import { startCloseSimulator, type CloseSimulator } from "./index";
import { checkRequests } from "./spec/contract";

/**
 * The adapter against the simulator, beyond the shared conformance suite:
 * several processes at once, placeholders, purchase figures, error mapping.
 * Assertions read the simulator's store: these tests are about Close's state.
 */
let sim: CloseSimulator;
const ctx = { correlationId: "close-adapter-test" };
const connect = (settings: Record<string, unknown>): CrmAdapter => connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock }).outbound;
/** A fresh adapter = a separate process: its own schema cache, lock table and pacer. */
const adapter = (): CrmAdapter => connect({ CLOSE_API_URL: sim.url, CLOSE_API_KEY: sim.apiKey });
const armFault = (spec: object) => fetch(`${sim.origin}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });

const fieldId = (scope: string, name: string) => [...sim.store.customFields.values()].find((f) => f.scope === scope && f.name === name)!.id;
const contactsOf = (sourceId: string) => [...sim.store.contacts.values()].filter((c) => c.custom.get(fieldId("contact", "ct_customer_id")) === sourceId);
const leadsOfUnit = (sourceId: string) => [...sim.store.leads.values()].filter((l) => l.custom.get(fieldId("lead", "ct_business_unit_id")) === sourceId);

beforeAll(async () => {
  sim = await startCloseSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe("Close adapter", () => {
  it("creates its custom fields and activity type once, even when two processes start together", async () => {
    await Promise.all([adapter().ensureSchema(ctx), adapter().ensureSchema(ctx), adapter().ensureSchema(ctx)]);
    const a = adapter();
    await a.ensureSchema(ctx);
    await a.ensureSchema(ctx);
    const types = [...sim.store.customActivityTypes.values()].filter((t) => t.name === "commercetools Order");
    expect(types.length).toBeGreaterThanOrEqual(1);
    // Whatever got created in the race, everyone writes through the oldest of each name.
    const [p] = await a.upsertPeople([person("schema-check")], ctx);
    const found = await adapter().findPeople({ sourceId: "schema-check" }, ctx);
    expect(found.map((r) => r.crmId)).toEqual([p && p.ok ? p.crmId : "missing"]);
  });

  it("sends Basic auth and the correlation ID on every call", async () => {
    const before = sim.recorded.length;
    await adapter().upsertPeople([person("headers")], { correlationId: "corr-123" });
    const sent = sim.recorded.slice(before);
    expect(sent.length).toBeGreaterThan(3);
    for (const request of sent) {
      expect(request.correlationId).toBe("corr-123");
      expect(request.authorization).toBe(`Basic ${Buffer.from("sandbox-key:").toString("base64")}`);
    }
  });

  it("converges on one contact and one lead when three processes upsert the same person at once", async () => {
    const processes = [adapter(), adapter(), adapter()];
    await Promise.all(processes.map((p) => p.ensureSchema(ctx)));
    // One delivery each: all three find nothing and create; only the post-create re-check can converge them.
    const outcomes = (await Promise.all(processes.map((p) => p.upsertPeople([person("p-race")], ctx)))).flat();
    expect(new Set(outcomes.map((o) => (o.ok ? o.crmId : "failed"))).size).toBe(1);
    const contacts = contactsOf("p-race");
    expect(contacts).toHaveLength(1);
    const leads = [...sim.store.leads.values()].filter((l) => l.custom.get(fieldId("lead", "ct_customer_id")) === "p-race");
    expect(leads).toHaveLength(1);
    expect(contacts[0]!.lead_id).toBe(leads[0]!.id);
  });

  it("removes an empty second own lead of a person (a clean-up that failed half-way) on the person's next write", async () => {
    const crm = adapter();
    await crm.upsertPeople([person("p-two-leads")], ctx);
    const ownLeads = () => [...sim.store.leads.values()].filter((l) => l.custom.get(fieldId("lead", "ct_customer_id")) === "p-two-leads");
    const kept = ownLeads()[0]!;
    // The lead a removed duplicate contact left behind: our ID, no contacts.
    const key = `custom.${fieldId("lead", "ct_customer_id")}`;
    const left = await fetch(`${sim.url}/lead/`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${sim.apiKey}:`).toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Left behind", [key]: "p-two-leads" }),
    });
    expect(left.status).toBe(200);
    expect(ownLeads()).toHaveLength(2);
    await crm.upsertPeople([person("p-two-leads", { sourceVersion: 2, firstName: "Janet" })], ctx);
    expect(ownLeads().map((l) => l.id)).toEqual([kept.id]);
    expect(contactsOf("p-two-leads")).toHaveLength(1);
  });

  it("writes a batch of people with one search for their contacts, one for their leads and one re-check", async () => {
    const a = adapter();
    await a.ensureSchema(ctx);
    await a.upsertPeople([person("batch-0", { lastName: "Before" })], ctx);
    const batch = Array.from({ length: 20 }, (_, i) => person(`batch-${i}`, { sourceVersion: 2 }));
    sim.requests.length = 0;
    const outcomes = await a.upsertPeople(batch, ctx);
    expect(outcomes.map((o) => o.ok && o.sourceId)).toEqual(batch.map((p) => p.sourceId));
    expect(outcomes.map((o) => o.ok && o.created)).toEqual(batch.map((_, i) => i > 0));
    const searches = sim.requests.filter((r) => r.path.endsWith("/data/search/")).length;
    expect(searches).toBe(3);
    // 19 leads created with their contacts, one existing person updated (its lead and its contact).
    expect(sim.requests.length - searches).toBe(19 + 2);
    for (const p of batch) expect(contactsOf(p.sourceId)).toHaveLength(1);
    expect(contactsOf("batch-0")[0]!.name).toBe("Jane Doe-batch-0");
  });

  it("finds a batch of orders' customers with one search, then lists, writes, re-checks and sums per order", async () => {
    const a = adapter();
    await a.ensureSchema(ctx);
    await a.upsertPeople(Array.from({ length: 10 }, (_, i) => person(`ob-${i}`)), ctx);
    const orders = Array.from({ length: 10 }, (_, i) => order(`ob-order-${i}`, `ob-${i}`));
    sim.requests.length = 0;
    const outcomes = await a.upsertOrders(orders, ctx);
    expect(outcomes.map((o) => o.ok && o.created)).toEqual(orders.map(() => true));
    expect(sim.requests.filter((r) => r.path.endsWith("/data/search/"))).toHaveLength(1);
    // Per order: its lead's order activities listed, the activity created, listed again (a racing creator), the lead's figures.
    expect(sim.requests.length).toBe(1 + 4 * orders.length);
    for (const [i, outcome] of outcomes.entries()) {
      const activity = sim.store.activities.get(outcome!.ok ? outcome!.crmId : "")!;
      expect(activity.contact_id).toBe(contactsOf(`ob-${i}`)[0]!.id);
    }
  });

  it("writes the same person twice in one batch as two writes of one record", async () => {
    const a = adapter();
    const outcomes = await a.upsertPeople([person("twice", { lastName: "First" }), person("twice", { lastName: "Second", sourceVersion: 2 })], ctx);
    expect(outcomes.map((o) => o.ok && o.crmId)).toEqual([outcomes[0]!.ok && outcomes[0]!.crmId, outcomes[0]!.ok && outcomes[0]!.crmId]);
    expect(contactsOf("twice")).toHaveLength(1);
    expect(contactsOf("twice")[0]!.name).toBe("Jane Second");
  });

  it("converges on one lead per business unit across processes, keeping the associates", async () => {
    const processes = [adapter(), adapter()];
    await Promise.all([
      ...processes.map((p) => p.upsertCompanies([company("bu-race")], ctx)),
      ...processes.map((p, i) => p.upsertPeople([person(`assoc-race-${i}`, { companySourceId: "bu-race" })], ctx)),
    ]);
    const leads = leadsOfUnit("bu-race");
    expect(leads).toHaveLength(1);
    expect(leads[0]!.name).toBe("ACME bu-race");
    for (const i of [0, 1]) expect(contactsOf(`assoc-race-${i}`)[0]?.lead_id).toBe(leads[0]!.id);
  });

  it("puts a Division's parent in its lead, and clears it when the unit becomes a Company", async () => {
    const a = adapter();
    await a.upsertCompanies([company("bu-div", { unitType: "Division", parentSourceId: "bu-top" })], ctx);
    expect(leadsOfUnit("bu-div")[0]!.custom.get(fieldId("lead", "ct_parent_business_unit_id"))).toBe("bu-top");
    await a.upsertCompanies([company("bu-div", { unitType: "Company", sourceVersion: 2 })], ctx);
    expect(leadsOfUnit("bu-div")[0]!.custom.has(fieldId("lead", "ct_parent_business_unit_id"))).toBe(false);
  });

  it("attaches an order that arrives before its customer, and the customer's sync completes the placeholder", async () => {
    const a = adapter();
    const [outcome] = await a.upsertOrders([order("o-early", "p-late")], ctx);
    expect(outcome).toMatchObject({ ok: true, created: true });
    expect(contactsOf("p-late")).toHaveLength(1);
    await a.upsertPeople([person("p-late")], ctx);
    const [contact] = contactsOf("p-late");
    expect(contactsOf("p-late")).toHaveLength(1);
    expect(contact!.name).toBe("Jane Doe-p-late");
    const activity = sim.store.activities.get(outcome && outcome.ok ? outcome.crmId : "")!;
    expect(activity.contact_id).toBe(contact!.id);
  });

  it("keeps the lead's purchase figures right however often orders are written", async () => {
    const a = adapter();
    await a.upsertPeople([person("p-figures")], ctx);
    const first = order("o-fig-1", "p-figures", { createdAt: "2026-10-01T09:00:00.000Z" });
    const second = order("o-fig-2", "p-figures", { createdAt: "2026-11-02T09:00:00.000Z", total: { centAmount: 1000, currencyCode: "EUR", fractionDigits: 2 } });
    await a.upsertOrders([first, second], ctx);
    await a.upsertOrders([first, second, first], ctx);
    const lead = sim.store.leads.get(contactsOf("p-figures")[0]!.lead_id)!;
    expect(lead.custom.get(fieldId("lead", "ct_lifetime_value"))).toBe(133.45);
    expect(lead.custom.get(fieldId("lead", "ct_currency"))).toBe("EUR");
    expect(lead.custom.get(fieldId("lead", "ct_last_purchase_date"))).toBe("2026-11-02");
    await a.upsertOrders([{ ...second, orderState: "Cancelled" }], ctx);
    expect(lead.custom.get(fieldId("lead", "ct_lifetime_value"))).toBe(123.45);
    const activities = [...sim.store.activities.values()].filter((x) => x.lead_id === lead.id);
    expect(activities).toHaveLength(2);
  });

  it("converges on one order activity when two processes write the same order at once", async () => {
    await adapter().upsertPeople([person("p-order-race")], ctx);
    const theOrder = order("o-race", "p-order-race");
    await Promise.all([adapter(), adapter(), adapter()].map((p) => p.upsertOrders([theOrder], ctx)));
    const key = fieldId("activity", "ct_activity_key");
    expect([...sim.store.activities.values()].filter((x) => x.custom.get(key) === theOrder.activityKey)).toHaveLength(1);
  });

  it("returns Close's field errors per record and keeps going with the batch", async () => {
    const outcomes = await adapter().upsertPeople([person("bad-1", { email: "nope" }), person("good-1")], ctx);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { errorClass: "validation", status: 400 } });
    const error = outcomes[0] && !outcomes[0].ok ? outcomes[0].error : undefined;
    expect(error?.message).toContain("Invalid email address.");
    expect(error?.fields).toBeDefined();
    expect(outcomes[1]).toMatchObject({ ok: true, created: true });
  });

  it("finds people by email regardless of case, only on an exact address", async () => {
    const a = adapter();
    await a.upsertPeople([person("p-mail", { email: "Mixed.Case@Example.com" }), person("p-mail-2", { email: "other.mixed.case@example.com" })], ctx);
    const found = await a.findPeople({ email: "mixed.case@example.com" }, ctx);
    expect(found.map((r) => r.sourceId)).toEqual(["p-mail"]);
  });

  it("maps whole-call failures: 401 → auth, 429 → throttled with the wait, malformed → unknown, refused → unavailable", async () => {
    const wrongKey = connect({ CLOSE_API_URL: sim.url, CLOSE_API_KEY: "wrong" });
    await expect(wrongKey.upsertPeople([person("x")], ctx)).rejects.toMatchObject({ errorClass: "auth", details: { status: 401 } });

    const a = adapter();
    await a.ensureSchema(ctx);
    await armFault({ status: 429, retryAfterSeconds: 0.4 });
    const throttled = await a.upsertPeople([person("x")], ctx).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(SyncError);
    // Retry-After says 1 (integer), rate_reset says 0.4: wait the longer.
    expect((throttled as SyncError).details).toMatchObject({ errorClass: "throttled", retryAfterSeconds: 1 });

    await armFault({ malformed: true });
    await expect(a.upsertPeople([person("x")], ctx)).rejects.toMatchObject({ errorClass: "unknown" });

    const nowhere = connect({ CLOSE_API_URL: "http://127.0.0.1:9/api/v1", CLOSE_API_KEY: "k" });
    await expect(nowhere.ensureSchema(ctx)).rejects.toMatchObject({ errorClass: "crm_unavailable" });
  });

  it("holds its requests while Close says the window is spent, instead of running into 429s", async () => {
    const a = connect({ CLOSE_API_URL: sim.url, CLOSE_API_KEY: sim.apiKey, CLOSE_REQUESTS_PER_SECOND: 1000 });
    await a.ensureSchema(ctx);
    sim.rateLimit({ limit: 3, windowSeconds: 1 });
    try {
      const before = sim.requests.length;
      const started = Date.now();
      const outcomes = await a.upsertPeople(Array.from({ length: 5 }, (_, i) => person(`held-${i}`)), ctx);
      expect(outcomes.every((o) => o.ok)).toBe(true);
      const sent = sim.requests.slice(before);
      // 3 searches and 5 creates: three windows of 3 at the most, and not one refused.
      expect(sent).toHaveLength(8);
      expect(sent.filter((r) => r.status === 429)).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    } finally {
      sim.rateLimit({ limit: 10_000, windowSeconds: 10 });
    }
  });

  it("spoke only Close's published dialect", () => {
    expect(checkRequests(sim.recorded)).toEqual([]);
  });
});
