import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/dynamics/connector";
import { SyncError } from "@ct-crm-sync/core/domain/errors";
import type { OrderActivity } from "@ct-crm-sync/core/domain/model";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { company, order as conformanceOrder, deal, orderEvent, person } from "../../conformance/fixtures";
import { publishedLimits } from "./service-protection";
import { startDynamicsSimulator, type DynamicsSimulator } from "./index";
import { dataverseReader, type DataverseReader } from "./reader";

const ctx = { correlationId: "corr-dyn-1" };
const unit = (sourceId: string, parentSourceId?: string) => company(sourceId, parentSourceId ? { unitType: "Division", parentSourceId } : {});
const order = (sourceId: string, personSourceId: string, overrides: Partial<OrderActivity> = {}) =>
  conformanceOrder(sourceId, personSourceId, { total: { centAmount: 4980, currencyCode: "EUR", fractionDigits: 2 }, orderNumber: `SB-${sourceId}`, ...overrides });

/** The connector's outbound behaviour beyond the shared conformance suite, against the simulator, built as the apps build it. */
describe("Dynamics 365 adapter", () => {
  let sim: DynamicsSimulator;
  let adapter: CrmAdapter;
  let org: DataverseReader;
  const connect = (settings: Record<string, string> = {}) =>
    connector.connect(
      {
        DYNAMICS_ORG_URL: sim.url,
        DYNAMICS_AUTHORITY_URL: sim.url,
        DYNAMICS_TENANT_ID: sim.tenant,
        DYNAMICS_CLIENT_ID: "sandbox-client",
        DYNAMICS_CLIENT_SECRET: "sandbox-secret",
        ...settings,
      },
      { logger: new MemoryLogger(), clock: systemClock },
    ).outbound;
  const batchCalls = () => sim.requests.filter((r) => r.path.endsWith("/$batch")).length;

  beforeAll(async () => {
    sim = await startDynamicsSimulator();
    adapter = connect();
    org = dataverseReader(sim.url, { tenant: sim.tenant, clientId: "sandbox-sales", clientSecret: "sales-secret" });
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(() => {
    sim.faults.clear();
    sim.protection.configure(publishedLimits);
  });

  it("verifies the environment's tables and columns in ensureSchema, once per connection", async () => {
    const before = sim.requests.length;
    await expect(adapter.ensureSchema(ctx)).resolves.toBeUndefined();
    await adapter.ensureSchema(ctx);
    expect(sim.requests.slice(before).map((r) => r.path.split("/").pop())).toEqual(["contacts", "accounts", "ct_orders"]);
  });

  it("writes a page of people in one $batch call, each record its own change set, outcomes in input order", async () => {
    const before = batchCalls();
    const batch = Array.from({ length: 100 }, (_, i) => person(`page-${i}`));
    const outcomes = await adapter.upsertPeople(batch, ctx);
    expect(batchCalls() - before).toBe(1);
    expect(outcomes.map((o) => o.sourceId)).toEqual(batch.map((p) => p.sourceId));
    expect(outcomes.every((o) => o.ok && o.created)).toBe(true);
    const again = await adapter.upsertPeople(batch.slice(0, 3), ctx);
    expect(again.map((o) => o.ok && o.created)).toEqual([false, false, false]);
  });

  it("answers a refused record as its outcome and writes its neighbours", async () => {
    const outcomes = await adapter.upsertPeople([person("ok-1"), person("bad-1", { lastName: "x".repeat(51) }), person("ok-2")], ctx);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { errorClass: "validation", code: "0x80044331" } });
    expect(await org.all("/contacts?$select=contactid&$filter=ct_customerid eq 'bad-1'")).toHaveLength(0);
  });

  it("mirrors the business-unit tree in the account hierarchy, parents first whatever the input order", async () => {
    const outcomes = await adapter.upsertCompanies([unit("east", "acme"), unit("acme"), unit("east-1", "east")], ctx);
    expect(outcomes.map((o) => [o.sourceId, o.ok])).toEqual([
      ["east", true],
      ["acme", true],
      ["east-1", true],
    ]);
    const accounts = await org.all("/accounts?$select=accountid,ct_businessunitid,_parentaccountid_value,ct_unittype&$filter=startswith(ct_businessunitid,'acme') or startswith(ct_businessunitid,'east')");
    const byUnit = new Map(accounts.map((a) => [a.ct_businessunitid, a]));
    expect(byUnit.get("east")?._parentaccountid_value).toBe(byUnit.get("acme")?.accountid);
    expect(byUnit.get("east-1")?._parentaccountid_value).toBe(byUnit.get("east")?.accountid);
    expect(byUnit.get("acme")?._parentaccountid_value).toBeNull();
    expect(byUnit.get("east")?.ct_unittype).toBe("Division");
  });

  it("links associates to their unit's account with their roles; a unit not synced yet is not_found, to be retried", async () => {
    const outcomes = await adapter.upsertPeople([person("assoc-1", { companySourceId: "east", roles: ["buyer", "admin"] }), person("assoc-2", { companySourceId: "not-synced" })], ctx);
    expect(outcomes[0]?.ok).toBe(true);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { errorClass: "not_found" } });
    const [account] = await org.all("/accounts?$select=accountid&$filter=ct_businessunitid eq 'east'");
    const [contact] = await org.all("/contacts?$select=_parentcustomerid_value,ct_roles&$filter=ct_customerid eq 'assoc-1'");
    expect(contact).toMatchObject({ _parentcustomerid_value: account!.accountid, ct_roles: "buyer;admin" });
  });

  it("keeps an order as one ct_orders row through its state changes; its timeline entries are recordOrderEvents', not the row's", async () => {
    await adapter.upsertPeople([person("buyer-1")], ctx);
    const placed = order("o-100", "buyer-1");
    const paid = { ...placed, paymentState: "Paid", sourceVersion: 2 };
    const shipped = { ...paid, shipmentState: "Shipped", sourceVersion: 3 };
    expect((await adapter.upsertOrders([placed], ctx))[0]).toMatchObject({ ok: true, created: true });
    for (let i = 0; i < 3; i++) await adapter.upsertOrders([paid], ctx);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => adapter.upsertOrders([shipped], ctx)));
    expect(concurrent.flat().every((o) => o.ok)).toBe(true);
    const rows = await org.all("/ct_orders?$select=ct_commerceorderid,ct_paymentstate,ct_shipmentstate,ct_total,_ct_contactid_value&$filter=ct_orderid eq 'o-100'");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ct_paymentstate: "Paid", ct_shipmentstate: "Shipped", ct_total: 49.8 });
    const [contact] = await org.all("/contacts?$select=contactid&$filter=ct_customerid eq 'buyer-1'");
    expect(rows[0]?._ct_contactid_value).toBe(contact!.contactid);
    expect(await org.all(`/annotations?$select=subject&$filter=_objectid_value eq ${String(contact!.contactid)}`)).toEqual([]);
  });

  it("writes a page of cart deals in one $batch after one query of their states, a won one closed by WinOpportunity with its order linked", async () => {
    await adapter.upsertPeople([person("cart-buyer")], ctx);
    await adapter.upsertOrders([order("o-cart-1", "cart-buyer")], ctx);
    await adapter.upsertDeals!([deal("warm-up", "cart-buyer")], ctx);
    const carts = Array.from({ length: 20 }, (_, i) => deal(`cart-page-${i}`, "cart-buyer"));
    const won = deal("cart-page-won", "cart-buyer", { status: "won", statusAt: "2026-11-21T10:00:00.000Z", orderSourceId: "o-cart-1", orderNumber: "SB-o-cart-1" });
    const before = sim.requests.length;
    const outcomes = await adapter.upsertDeals!([...carts, won], ctx);
    expect(outcomes.map((o) => o.sourceId)).toEqual([...carts, won].map((d) => d.sourceId));
    expect(outcomes.every((o) => o.ok && o.created)).toBe(true);
    // The deals' states, the won deal's order, then one $batch (the currency was looked up once, for the warm-up).
    expect(sim.requests.slice(before).map((r) => r.path.split("/").pop())).toEqual(["opportunities", "ct_orders", "$batch"]);

    const [row] = await org.all("/opportunities?$select=statecode,statuscode,actualvalue,ct_cartstatus,ct_ordernumber,_ct_commerceorderid_value&$filter=ct_dealkey eq 'ct-cart-cart-page-won'");
    const [orderRow] = await org.all("/ct_orders?$select=ct_commerceorderid&$filter=ct_orderid eq 'o-cart-1'");
    expect(row).toMatchObject({ statecode: 1, statuscode: 3, actualvalue: 123.45, ct_cartstatus: "won", ct_ordernumber: "SB-o-cart-1", _ct_commerceorderid_value: orderRow!.ct_commerceorderid });
    const closes = await org.all(`/opportunitycloses?$select=subject,actualrevenue&$filter=_opportunityid_value eq ${String(row!.opportunityid)}`);
    expect(closes).toMatchObject([{ subject: "Cart ordered: order SB-o-cart-1", actualrevenue: 123.45 }]);
  });

  it("leaves a closed deal as it is: a late open write answers its ID without writing, and one racing the close is refused by the org, then found closed", async () => {
    await adapter.upsertPeople([person("late-buyer")], ctx);
    const open = deal("cart-late", "late-buyer");
    const [first] = await adapter.upsertDeals!([open], ctx);
    await adapter.upsertDeals!([{ ...open, sourceVersion: 3, status: "lost" }], ctx);
    const batches = batchCalls();
    const [late] = await adapter.upsertDeals!([{ ...open, sourceVersion: 2, status: "abandoned" }], ctx);
    expect(late).toEqual({ sourceId: "cart-late", ok: true, crmId: first!.ok && first!.crmId, created: false });
    expect(batchCalls()).toBe(batches);

    // Closed between this writer's read and its write: Dataverse refuses an open status reason for a lost opportunity.
    const racing = deal("cart-race", "late-buyer");
    await adapter.upsertDeals!([racing], ctx);
    sim.faults.arm({ delayMs: 1000, times: 1, pathIncludes: "$batch" });
    const stateReads = () => sim.requests.filter((r) => r.method === "GET" && r.path.endsWith("/opportunities")).length;
    const readsBefore = stateReads();
    const stale = adapter.upsertDeals!([{ ...racing, sourceVersion: 2, status: "abandoned" }], ctx);
    // Sales closes it once the writer has read it open, while its $batch is held back.
    await vi.waitUntil(() => stateReads() > readsBefore);
    await org.request("POST", "/LoseOpportunity", { Status: 4, OpportunityClose: { subject: "Lost by Sales", "opportunityid@odata.bind": "/opportunities(ct_dealkey='ct-cart-cart-race')" } });
    expect(await stale).toMatchObject([{ ok: true, created: false }]);
    // Refused, then read again and found closed.
    expect(stateReads() - readsBefore).toBe(2);
    const [row] = await org.all("/opportunities?$select=statecode,statuscode,ct_cartstatus&$filter=ct_dealkey eq 'ct-cart-cart-race'");
    expect(row).toMatchObject({ statecode: 2, statuscode: 4, ct_cartstatus: "open" });
  });

  it("answers a cart in a currency the org lacks as that deal's validation outcome, and writes its neighbours", async () => {
    await adapter.upsertPeople([person("yen-buyer")], ctx);
    const yen = deal("cart-yen", "yen-buyer", { total: { centAmount: 5000, currencyCode: "JPY", fractionDigits: 0 } });
    const outcomes = await adapter.upsertDeals!([yen, deal("cart-eur", "yen-buyer")], ctx);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { errorClass: "validation", message: expect.stringContaining("no currency JPY") } });
    expect(outcomes[1]).toMatchObject({ ok: true });
  });

  it("writes order transitions as notes on the contact in one $batch, dated when they happened, each once", async () => {
    await adapter.upsertPeople([person("timeline-buyer")], ctx);
    const events = [orderEvent("o-tl", "timeline-buyer", "paid"), orderEvent("o-tl", "timeline-buyer", "shipped", { at: "2026-11-22T08:30:00.000Z" })];
    const before = batchCalls();
    expect(await adapter.recordOrderEvents!(events, ctx)).toMatchObject([{ ok: true, created: true }, { ok: true, created: true }]);
    expect(batchCalls() - before).toBe(1);
    expect(await adapter.recordOrderEvents!(events, ctx)).toMatchObject([{ ok: true, created: false }, { ok: true, created: false }]);
    const [contact] = await org.all("/contacts?$select=contactid&$filter=ct_customerid eq 'timeline-buyer'");
    const notes = await org.all(`/annotations?$select=subject,createdon&$filter=_objectid_value eq ${String(contact!.contactid)}&$orderby=createdon`);
    expect(notes).toMatchObject([
      { subject: "Order ON-o-tl paid", createdon: "2026-11-21T10:00:00Z" },
      { subject: "Order ON-o-tl shipped", createdon: "2026-11-22T08:30:00Z" },
    ]);
  });

  it("reads synced records back with one In query per hundred IDs, a duplicate made around the key answered twice", async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `synced-${i}`);
    await adapter.upsertPeople(ids.slice(0, 5).map((id) => person(id)), ctx);
    sim.store.seed("contacts", [{ ct_customerid: "synced-1", lastname: "Imported twice" }]);
    const before = sim.requests.length;
    const records = await adapter.reconcile!.readSynced!("person", ids, ctx);
    expect(sim.requests.length - before).toBe(3);
    expect(records.map((r) => r.sourceId).sort()).toEqual(["synced-0", "synced-1", "synced-1", "synced-2", "synced-3", "synced-4"]);
    // The duplicate goes before the listing's test below, which expects each person once.
    await adapter.reconcile!.deletePerson(records.find((r) => r.values.lastname === "Imported twice")!.crmId, ctx);
  });

  it("settles concurrent creates of one key: the upserts that lost the race are sent again and update the winner's record", async () => {
    const slow = await startDynamicsSimulator({ createLatencyMs: 30 });
    try {
      const racing = connector.connect(
        { DYNAMICS_ORG_URL: slow.url, DYNAMICS_AUTHORITY_URL: slow.url, DYNAMICS_TENANT_ID: slow.tenant, DYNAMICS_CLIENT_ID: "sandbox-client", DYNAMICS_CLIENT_SECRET: "sandbox-secret" },
        { logger: new MemoryLogger(), clock: systemClock },
      ).outbound;
      const outcomes = (await Promise.all(Array.from({ length: 10 }, () => racing.upsertPeople([person("racer-1")], ctx)))).flat();
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(outcomes.filter((o) => o.ok && o.created)).toHaveLength(1);
      expect(new Set(outcomes.map((o) => o.ok && o.crmId)).size).toBe(1);
      // The race was real: some upserts were refused as duplicates before being sent again.
      const batches = slow.requests.filter((r) => r.path.endsWith("/$batch")).length;
      expect(batches).toBeGreaterThan(10);
      const held = dataverseReader(slow.url, { tenant: slow.tenant, clientId: "sandbox-sales", clientSecret: "sales-secret" });
      expect(await held.all("/contacts?$select=contactid&$filter=ct_customerid eq 'racer-1'")).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it("surfaces each service-protection refusal as throttling with Dataverse's code and wait, and holds the connection back meanwhile", async () => {
    sim.protection.configure({ requests: { limit: 1, windowSeconds: 2 } });
    await adapter.upsertPeople([person("throttle-0")], ctx);
    const refused = await adapter.upsertPeople([person("throttle-1")], ctx).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SyncError);
    expect((refused as SyncError).details).toMatchObject({ errorClass: "throttled", code: "0x80072322", status: 429 });
    const wait = (refused as SyncError).details.retryAfterSeconds!;
    expect(wait).toBeGreaterThanOrEqual(1);
    // The pacer waits out the announced window before the next request leaves: no second refusal.
    const started = Date.now();
    await expect(adapter.upsertPeople([person("throttle-1")], ctx)).resolves.toMatchObject([{ ok: true }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(wait * 1000 - 50);

    sim.protection.configure({ ...publishedLimits, executionTime: { limitMs: 1, windowSeconds: 1 } });
    sim.faults.arm({ delayMs: 5, times: 1 });
    await adapter.upsertPeople([person("throttle-2")], ctx);
    const slow = await adapter.upsertPeople([person("throttle-3")], ctx).catch((e: unknown) => e);
    expect((slow as SyncError).details).toMatchObject({ errorClass: "throttled", code: "0x80072321" });
  });

  it("keeps its requests in flight below the org's concurrency limit, so 0x80072326 never comes", async () => {
    sim.protection.configure({ concurrency: 2 });
    const narrow = connect({ DYNAMICS_MAX_CONCURRENCY: "2" });
    sim.faults.arm({ delayMs: 100, times: 6 });
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => narrow.upsertPeople([person(`parallel-${i}`)], ctx)));
    expect(outcomes.flat().every((o) => o.ok)).toBe(true);
    expect(sim.protection.refused["0x80072326"] ?? 0).toBe(0);
  });

  it("fetches a new token when the org refuses the old one, and before a token runs out", async () => {
    const before = sim.tokens.issued;
    sim.tokens.expireAll();
    await expect(adapter.upsertPeople([person("token-1")], ctx)).resolves.toMatchObject([{ ok: true }]);
    expect(sim.tokens.issued).toBe(before + 1);

    const shortLived = await startDynamicsSimulator({ tokenTtlSeconds: 301 });
    try {
      const short = connector.connect(
        { DYNAMICS_ORG_URL: shortLived.url, DYNAMICS_AUTHORITY_URL: shortLived.url, DYNAMICS_TENANT_ID: shortLived.tenant, DYNAMICS_CLIENT_ID: "sandbox-client", DYNAMICS_CLIENT_SECRET: "sandbox-secret" },
        { logger: new MemoryLogger(), clock: systemClock },
      ).outbound;
      await short.upsertPeople([person("early-1")], ctx);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await short.upsertPeople([person("early-2")], ctx);
      // Replaced five minutes before its expiry: a second token, and no request was refused for an old one.
      expect(shortLived.tokens.issued).toBe(2);
      expect(shortLived.requests.filter((r) => r.status === 401)).toHaveLength(0);
    } finally {
      await shortLived.close();
    }
  });

  it("reports wrong credentials as an auth failure naming Microsoft identity's error, never the secret", async () => {
    const wrong = connect({ DYNAMICS_CLIENT_SECRET: "not-the-secret" });
    const error = await wrong.upsertPeople([person("auth-1")], ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).details).toMatchObject({ errorClass: "auth", code: "invalid_client", message: expect.stringContaining("AADSTS7000215") });
    expect((error as SyncError).message).not.toContain("not-the-secret");
  });

  it("sends the correlation ID with every Web API request", async () => {
    const before = sim.correlationIds.length;
    await adapter.findPeople({ email: "page-1@example.com" }, { correlationId: "corr-find-7" });
    expect(sim.correlationIds.slice(before)).toEqual(["corr-find-7"]);
  });

  it("backfills through the bulk path: $batch calls of a thousand upserts", async () => {
    expect(adapter.bulk?.threshold).toBe(1000);
    const before = batchCalls();
    const people = Array.from({ length: 1500 }, (_, i) => person(`bulk-${String(i).padStart(4, "0")}`));
    const outcomes = await adapter.bulk!.upsertPeople(people, ctx);
    expect(batchCalls() - before).toBe(2);
    expect(outcomes.map((o) => o.sourceId)).toEqual(people.map((p) => p.sourceId));
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });

  it("reads the synced people back page by page for reconciliation, and deletes one (twice is fine)", async () => {
    const reconcile = adapter.reconcile!;
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await reconcile.listPeople(cursor, ctx);
      seen.push(...page.people.map((p) => p.sourceId));
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain("bulk-1499");
    const jane = person("bulk-0000", { phone: "+4930123456", orderCount: 2 });
    expect(reconcile.expectedPersonValues(jane)).toMatchObject({ firstname: "Jane", emailaddress1: "bulk-0000@example.com", telephone1: "+4930123456", ct_ordercount: 2 });
    const [row] = await org.all("/contacts?$select=contactid&$filter=ct_customerid eq 'bulk-0000'");
    await reconcile.deletePerson(String(row!.contactid), ctx);
    await reconcile.deletePerson(String(row!.contactid), ctx);
    expect(await org.all("/contacts?$select=contactid&$filter=ct_customerid eq 'bulk-0000'")).toHaveLength(0);
  });

  it("follows no next link outside the org's Web API", async () => {
    const error = await adapter.reconcile!.listPeople("http://127.0.0.1:9/api/data/v9.2/contacts?$skiptoken=x", ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).message).toContain("outside the org's Web API");
  });
});
