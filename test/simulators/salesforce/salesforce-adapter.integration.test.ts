import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/salesforce/connector";
import { SyncError } from "@ct-crm-sync/core/domain/errors";
import type { Person } from "@ct-crm-sync/core/domain/model";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock, type Clock } from "@ct-crm-sync/core/ports/clock";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { startSalesforceSimulator, type RunningSalesforceSimulator } from "./index";

const ctx = { correlationId: "corr-sf-1" };
const person = (sourceId: string, overrides: Partial<Person> = {}): Person => ({
  kind: "person",
  sourceId,
  sourceVersion: 1,
  email: `${sourceId}@example.com`,
  firstName: "Jane",
  lastName: `Doe-${sourceId}`,
  ...overrides,
});

/** Bulk jobs are polled every 20 ms instead of every 2 s: the simulator finishes them in 30. */
const quickPolls: Clock = { now: () => systemClock.now(), sleep: (_ms, signal) => systemClock.sleep(20, signal) };

/** Adapter behaviour beyond the shared conformance suite, against the simulator, built as the apps build it. */
describe("Salesforce adapter", () => {
  let sim: RunningSalesforceSimulator;
  let adapter: CrmAdapter;
  const logger = new MemoryLogger();
  const connect = (settings: Record<string, string> = {}) =>
    connector.connect(
      { SALESFORCE_LOGIN_URL: sim.url, SALESFORCE_CLIENT_ID: "sandbox-client", SALESFORCE_CLIENT_SECRET: "sandbox-secret", ...settings },
      { logger, clock: quickPolls },
    ).outbound;

  beforeAll(async () => {
    sim = await startSalesforceSimulator({ bulkProcessingDelayMs: 30 });
    adapter = connect();
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(() => {
    sim.faults.clear();
    sim.usage.throttled = false;
  });

  it("verifies the org's objects and fields in ensureSchema", async () => {
    await expect(adapter.ensureSchema(ctx)).resolves.toBeUndefined();
    const wrongVersion = connect({ SALESFORCE_API_VERSION: "61.0" });
    const error = await wrongVersion.ensureSchema(ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).errorClass).toBe("validation");
    expect((error as SyncError).message).toContain("Contact");
  });

  it("maps a person onto Contact fields, with the placeholder when the last name is missing", async () => {
    const [outcome] = await adapter.upsertPeople(
      [
        person("map-1", {
          lastName: undefined,
          phone: "+4930123",
          roles: ["buyer", "admin"],
          emailConsent: { granted: false, at: "2026-01-01T00:00:00.000Z" },
          lifetimeValue: { centAmount: 123456, currencyCode: "EUR", fractionDigits: 2 },
          orderCount: 3,
          lastPurchaseAt: "2026-11-20T10:00:00.000Z",
          address: { streetLine: "Main 1", city: "Berlin", postalCode: "10115", country: "DE" },
        }),
      ],
      ctx,
    );
    expect(outcome).toMatchObject({ ok: true, created: true });
    const [found] = await adapter.findPeople({ sourceId: "map-1" }, ctx);
    expect(found?.fields).toMatchObject({ LastName: "[not provided]", Phone: "+4930123", HasOptedOutOfEmail: true, CT_Last_Purchase_Date__c: "2026-11-20T10:00:00.000+0000" });
    const row = sim.store.rows("Contact").find((r) => r.CT_Customer_Id__c === "map-1");
    expect(row).toMatchObject({ CT_Roles__c: "buyer;admin", CT_Lifetime_Value__c: 1234.56, CT_Order_Count__c: 3, MailingCity: "Berlin", MailingCountry: "DE" });
  });

  it("sends the correlation ID on every data call, bulk jobs included", async () => {
    sim.correlationIds.length = 0;
    await adapter.upsertPeople([person("corr-1")], ctx);
    await adapter.findPeople({ email: "corr-1@example.com" }, ctx);
    await adapter.bulk!.upsertPeople([person("corr-2")], ctx);
    // Collections, SOQL, then the job: create, upload, close, at least one poll, its results.
    expect(sim.correlationIds.length).toBeGreaterThanOrEqual(7);
    expect(sim.correlationIds.every((h) => h === "corr-sf-1")).toBe(true);
  });

  it("writes the newest of duplicate records in one batch once, answering every position", async () => {
    const outcomes = await adapter.upsertPeople([person("dup-1", { lastName: "Old" }), person("dup-2"), person("dup-1", { lastName: "New" })], ctx);
    expect(outcomes.map((o) => [o.sourceId, o.ok])).toEqual([["dup-1", true], ["dup-2", true], ["dup-1", true]]);
    const rows = sim.store.rows("Contact").filter((r) => r.CT_Customer_Id__c === "dup-1");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.LastName).toBe("New");
  });

  it("splits batches above 200 records into several Collections calls", async () => {
    const before = sim.requests.filter((r) => r.path.includes("/composite/sobjects/Contact")).length;
    const outcomes = await adapter.upsertPeople(Array.from({ length: 450 }, (_, i) => person(`many-${i}`)), ctx);
    expect(outcomes).toHaveLength(450);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(sim.requests.filter((r) => r.path.includes("/composite/sobjects/Contact")).length - before).toBe(3);
  });

  it("reports a person whose company is not in Salesforce as not_found", async () => {
    const [outcome] = await adapter.upsertPeople([person("orphan", { companySourceId: "bu-missing" })], ctx);
    expect(outcome?.ok).toBe(false);
    if (outcome && !outcome.ok) {
      expect(outcome.error.errorClass).toBe("not_found");
      expect(outcome.error.message).toContain("bu-missing");
    }
  });

  it("reports several records with one external ID as ambiguous_match", async () => {
    sim.store.seed("Contact", { LastName: "A", CT_Customer_Id__c: "twice" });
    sim.store.seed("Contact", { LastName: "B", CT_Customer_Id__c: "twice" });
    const [outcome] = await adapter.upsertPeople([person("twice")], ctx);
    expect(outcome && !outcome.ok && outcome.error.errorClass).toBe("ambiguous_match");
  });

  it("re-authenticates once when the session expires", async () => {
    await adapter.upsertPeople([person("session-1")], ctx);
    const issued = sim.tokens.issued;
    sim.tokens.expireAll();
    const [outcome] = await adapter.upsertPeople([person("session-2")], ctx);
    expect(outcome?.ok).toBe(true);
    expect(sim.tokens.issued).toBe(issued + 1);
  });

  it("replaces a token before the expiry its answer names, without a refused call", async () => {
    // 61 s announced, replaced a minute early: each token serves about a second.
    const expiring = await startSalesforceSimulator({ tokenTtlMs: 61_000, announceExpiry: true });
    try {
      const connected = connector.connect(
        { SALESFORCE_LOGIN_URL: expiring.url, SALESFORCE_CLIENT_ID: "sandbox-client", SALESFORCE_CLIENT_SECRET: "sandbox-secret" },
        { logger, clock: quickPolls },
      ).outbound;
      await connected.findPeople({ sourceId: "expiry-1" }, ctx);
      await connected.findPeople({ sourceId: "expiry-1" }, ctx);
      expect(expiring.tokens.issued).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await connected.findPeople({ sourceId: "expiry-1" }, ctx);
      expect(expiring.tokens.issued).toBe(2);
      expect(expiring.requests.filter((r) => r.status === 401)).toEqual([]);
    } finally {
      await expiring.close();
    }
  });

  it("classifies bad credentials as auth, daily limit as throttled, resets and malformed bodies as transient", async () => {
    const bad = connect({ SALESFORCE_CLIENT_SECRET: "wrong" });
    const authError = (await bad.upsertPeople([person("x")], ctx).catch((e: unknown) => e)) as SyncError;
    expect(authError.errorClass).toBe("auth");
    expect(authError.message).toContain("invalid client credentials");

    sim.usage.throttled = true;
    const issued = sim.tokens.issued;
    const throttled = (await adapter.upsertPeople([person("x")], ctx).catch((e: unknown) => e)) as SyncError;
    expect(throttled.details).toMatchObject({ errorClass: "throttled", status: 403, code: "REQUEST_LIMIT_EXCEEDED", retryAfterSeconds: 2 });
    // A 403 that is not about the session keeps the token.
    expect(sim.tokens.issued).toBe(issued);
    sim.usage.throttled = false;

    sim.faults.arm({ reset: true, times: 1 });
    expect(((await adapter.upsertPeople([person("x")], ctx).catch((e: unknown) => e)) as SyncError).errorClass).toBe("crm_unavailable");
    sim.faults.arm({ malformed: true, times: 1 });
    expect(((await adapter.upsertPeople([person("x")], ctx).catch((e: unknown) => e)) as SyncError).errorClass).toBe("unknown");
  });

  it("reports unreachable Salesforce as crm_unavailable", async () => {
    const nowhere = connect({ SALESFORCE_LOGIN_URL: "http://127.0.0.1:1" });
    const error = (await nowhere.findPeople({ sourceId: "x" }, ctx).catch((e: unknown) => e)) as SyncError;
    expect(error).toBeInstanceOf(SyncError);
    expect(error.errorClass).toBe("crm_unavailable");
  });

  it("finds people by email through SOQL, quoting safely", async () => {
    await adapter.upsertPeople([person("quote-1", { email: "o'brien@example.com" })], ctx);
    const found = await adapter.findPeople({ email: "O'Brien@example.com" }, ctx);
    expect(found.map((r) => r.sourceId)).toEqual(["quote-1"]);
    expect(await adapter.findPeople({ sourceId: "' OR Email != '" }, ctx)).toEqual([]);
  });

  it("links orders to their contact and account by external ID", async () => {
    await adapter.upsertCompanies([{ kind: "company", sourceId: "bu-o", sourceVersion: 1, key: "bu-o", name: "Order Co", unitType: "Company" }], ctx);
    await adapter.upsertPeople([person("buyer-o", { companySourceId: "bu-o" })], ctx);
    const [outcome] = await adapter.upsertOrders(
      [
        {
          kind: "order",
          sourceId: "order-o",
          sourceVersion: 1,
          activityKey: "ct-order-order-o",
          personSourceId: "buyer-o",
          companySourceId: "bu-o",
          total: { centAmount: 1999, currencyCode: "USD", fractionDigits: 2 },
          orderState: "Confirmed",
          createdAt: "2026-11-21T09:30:00.000Z",
          lines: [],
          lineSummary: "1 x Mug 19.99 USD",
        },
      ],
      ctx,
    );
    expect(outcome).toMatchObject({ ok: true, created: true });
    const row = sim.store.rows("CT_Order__c").find((r) => r.CT_Order_Id__c === "order-o");
    const contact = sim.store.rows("Contact").find((r) => r.CT_Customer_Id__c === "buyer-o");
    const account = sim.store.rows("Account").find((r) => r.CT_Business_Unit_Id__c === "bu-o");
    expect(row).toMatchObject({ Name: "order-o", CT_Total__c: 19.99, CT_Currency__c: "USD", Contact__c: contact?.Id, Account__c: account?.Id });
  });

  it("backfills through Bulk API 2.0 with outcomes in input order", async () => {
    await adapter.upsertPeople([person("bulk-existing")], ctx);
    const records = [person("bulk-new-1"), person("bulk-bad", { email: "not-an-email" }), person("bulk-existing", { lastName: "Renamed" }), person("bulk-new-2")];
    const outcomes = await adapter.bulk!.upsertPeople(records, ctx);
    expect(outcomes.map((o) => o.sourceId)).toEqual(records.map((r) => r.sourceId));
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    expect(outcomes[0]).toMatchObject({ created: true });
    expect(outcomes[2]).toMatchObject({ created: false });
    const failed = outcomes[1];
    if (failed && !failed.ok) {
      expect(failed.error).toMatchObject({ errorClass: "validation", code: "INVALID_EMAIL_ADDRESS" });
      expect(failed.error.fields).toHaveProperty("Email");
    }
    expect(sim.store.rows("Contact").find((r) => r.CT_Customer_Id__c === "bulk-existing")?.LastName).toBe("Renamed");
  });

  it("reads back only the successful results of a bulk job nothing failed in", async () => {
    sim.requests.length = 0;
    const records = [person("bulk-clean-1"), person("bulk-clean-2")];
    const outcomes = await adapter.bulk!.upsertPeople(records, ctx);
    expect(outcomes.map((o) => o.ok && o.created)).toEqual([true, true]);
    const paths = sim.requests.map((r) => `${r.method} ${r.path.replace(/\/jobs\/ingest\/[^/]+/, "/jobs/ingest/:id").replace(/^.*\/jobs/, "/jobs")}`);
    expect(paths.filter((p) => /failedResults|unprocessedrecords/.test(p))).toEqual([]);
    expect(paths.filter((p) => p.includes("successfulResults"))).toHaveLength(1);
  });

  it("warns once when daily API usage crosses 90%, without personal data", async () => {
    sim.usage.used = 89_990;
    await adapter.upsertPeople([person("usage-1")], ctx);
    sim.usage.used = 95_000;
    await adapter.upsertPeople([person("usage-2")], ctx);
    await adapter.upsertPeople([person("usage-3")], ctx);
    const warnings = logger.entries.filter((e) => e.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.meta).toMatchObject({ max: 100_000, correlationId: "corr-sf-1" });
    expect(adapter.budget?.()).toEqual({ queueFull: false, allowanceUsed: expect.closeTo(0.95, 2) });
    expect(JSON.stringify(logger.entries)).not.toMatch(/@example\.com|Jane|Doe|usage-/);
  });
});
