import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/crmone/connector";
import { SyncError } from "@ct-crm-sync/core/domain/errors";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { company, order, person } from "../../conformance/fixtures";
import { connectorSetup, startCrmOneSimulator, type CrmOneSimulator } from "./index";
import { checkExchanges } from "./spec/contract";

/**
 * The adapter against the simulator, beyond the shared conformance suite:
 * auth, several processes at once, placeholders, merged categories and
 * consent, the set-up check, pacing, reconciliation. Assertions read the
 * simulator's store: these tests are about the instance's state.
 */
let sim: CrmOneSimulator;
const ctx = { correlationId: "crmone-adapter-test" };
const customFields = Object.fromEntries(Object.entries(connectorSetup.customFields).map(([model, fields]) => [model, Object.keys(fields)]));

/** A fresh adapter = a separate process: its own token, set-up check, lock table and pacer. */
const adapter = (settings: Record<string, string> = {}, target = () => sim): CrmAdapter =>
  connector.connect(
    { CRMONE_API_URL: target().url, CRMONE_CLIENT_ID: target().clientId, CRMONE_CLIENT_SECRET: target().clientSecret, CRMONE_REQUESTS_PER_SECOND: "200", ...settings },
    { logger: new MemoryLogger(), clock: systemClock },
  ).outbound;

const records = (model: string) => [...sim.store.table(model).values()];
const contactsOf = (sourceId: string) => records("Contact").filter((c) => c.ct_customer_id === sourceId);
const accountsOf = (sourceId: string) => records("Account").filter((a) => a.ct_business_unit_id === sourceId);
const notesOf = (orderId: string) => records("Note").filter((n) => n.name === `commercetools order ct-order-${orderId}`);
const crmIdOf = (outcome: { ok: boolean; crmId?: string } | undefined) => (outcome && "crmId" in outcome ? outcome.crmId : undefined);

beforeAll(async () => {
  sim = await startCrmOneSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe("CRM One adapter: connection", () => {
  it("takes one OAuth token for many calls, and sends it and the correlation ID on every request", async () => {
    const issued = sim.tokens.issued;
    const before = sim.exchanges.length;
    const a = adapter();
    await a.upsertPeople([person("auth-1"), person("auth-2")], { correlationId: "corr-123" });
    await a.findPeople({ sourceId: "auth-1" }, { correlationId: "corr-123" });
    expect(sim.tokens.issued - issued).toBe(1);
    const sent = sim.exchanges.slice(before);
    expect(sent.length).toBeGreaterThan(6);
    for (const exchange of sent) {
      expect(exchange.correlationId).toBe("corr-123");
      expect(exchange.authorization).toMatch(/^Bearer /);
    }
  });

  it("takes a new token once when the instance refuses the one it has, and the call succeeds", async () => {
    const a = adapter();
    await a.upsertPeople([person("revoked-1")], ctx);
    const issued = sim.tokens.issued;
    sim.tokens.expireAll();
    const [outcome] = await a.upsertPeople([person("revoked-1", { lastName: "Renewed" })], ctx);
    expect(outcome).toMatchObject({ ok: true, created: false });
    expect(sim.tokens.issued - issued).toBe(1);
    expect(contactsOf("revoked-1")[0]?.last_name).toBe("Renewed");
  });

  it("uses HTTP Basic where the merchant chose it: no token at all", async () => {
    const issued = sim.tokens.issued;
    const before = sim.exchanges.length;
    await adapter({ CRMONE_AUTH: "basic" }).upsertPeople([person("basic-1")], ctx);
    expect(sim.tokens.issued).toBe(issued);
    expect(sim.exchanges.slice(before).every((e) => e.authorization === `Basic ${Buffer.from("sandbox-client:sandbox-secret").toString("base64")}`)).toBe(true);
    expect(contactsOf("basic-1")).toHaveLength(1);
  });

  it("fails as auth when the client is wrong, and as validation naming the set-up when the instance lacks our fields", async () => {
    const wrong = await adapter({ CRMONE_CLIENT_SECRET: "nope" }).upsertPeople([person("x")], ctx).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(SyncError);
    expect((wrong as SyncError).details).toMatchObject({ errorClass: "auth", code: "invalid_client" });

    const bare = await startCrmOneSimulator({ setup: { customFields: {}, filters: {} } });
    try {
      const error = await adapter({}, () => bare).upsertPeople([person("set-up")], ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SyncError);
      expect((error as SyncError).errorClass).toBe("validation");
      expect((error as SyncError).message).toMatch(/Unknown (field|filter) ct_customer_id .* see the CRM One connector's README, "Set-up"/);
      expect(bare.store.table("Contact").size).toBe(0);
    } finally {
      await bare.close();
    }
  });

  it("checks the set-up once per connection, however many calls start at once", async () => {
    const a = adapter();
    const before = sim.exchanges.length;
    await Promise.all([a.ensureSchema(ctx), a.ensureSchema(ctx), a.upsertPeople([person("setup-once")], ctx)]);
    await a.upsertPeople([person("setup-twice")], ctx);
    const probes = sim.exchanges.slice(before).filter((e) => e.query.some(([, value]) => value === "ct-crm-sync-setup-check"));
    // ensureSchema asks for everything the connector writes, deals and timeline entries included.
    expect(probes.map((e) => e.path).sort()).toEqual(["/data/Account", "/data/Contact", "/data/Note", "/data/Opportunity", "/data/Task"]);
  });
});

describe("CRM One adapter: one record per key", () => {
  it("converges on one contact when three processes create the same person at once", async () => {
    const processes = [adapter(), adapter(), adapter()];
    await Promise.all(processes.map((p) => p.ensureSchema(ctx)));
    const outcomes = (await Promise.all(processes.map((p) => p.upsertPeople([person("p-race")], ctx)))).flat();
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(new Set(outcomes.map(crmIdOf)).size).toBe(1);
    expect(contactsOf("p-race")).toHaveLength(1);
    expect(crmIdOf(outcomes[0])).toBe(contactsOf("p-race")[0]!.id);
  });

  it("costs three requests for a new person (find, create, re-check) and two for a known one (find, update)", async () => {
    const a = adapter();
    await a.ensureSchema(ctx);
    await a.upsertPeople([person("cost-0")], ctx);
    const before = sim.requests.length;
    const outcomes = await a.upsertPeople([person("cost-0", { sourceVersion: 2 }), person("cost-1"), person("cost-2")], ctx);
    expect(outcomes.map((o) => o.ok && o.created)).toEqual([false, true, true]);
    expect(sim.requests.length - before).toBe(2 + 3 + 3);
  });

  it("keeps the oldest of duplicates made elsewhere, deletes the others and moves an account's contacts onto the survivor", async () => {
    const older = sim.store.create("Account", { name: "Dup Co", ct_business_unit_id: "bu-dup" });
    sim.store.now = () => new Date(Date.now() + 2000);
    try {
      const younger = sim.store.create("Account", { name: "Dup Co", ct_business_unit_id: "bu-dup" });
      sim.store.create("Contact", { last_name: "On the younger", primary_account_id: younger.id });
      const [outcome] = await adapter().upsertCompanies([company("bu-dup", { name: "Dup Co Renamed" })], ctx);
      expect(outcome).toMatchObject({ ok: true, created: false, crmId: older.id });
    } finally {
      sim.store.now = () => new Date();
    }
    expect(accountsOf("bu-dup").map((a) => [a.id, a.name])).toEqual([[older.id, "Dup Co Renamed"]]);
    expect(records("Contact").find((c) => c.last_name === "On the younger")?.primary_account_id).toBe(older.id);
  });

  it("lets associates and divisions arrive before their units, and completes the placeholders", async () => {
    const a = adapter();
    await a.upsertPeople([person("assoc-early", { companySourceId: "bu-late", companyName: "Late Corp", roles: ["buyer"] })], ctx);
    expect(accountsOf("bu-late").map((acc) => acc.name)).toEqual(["Late Corp"]);
    await a.upsertCompanies([company("bu-late-div", { unitType: "Division", parentSourceId: "bu-late-parent", name: "Late East" })], ctx);
    expect(accountsOf("bu-late-parent")).toHaveLength(1);
    await a.upsertCompanies([company("bu-late", { name: "Late Corporation", key: "late" }), company("bu-late-parent", { name: "Late Holding" })], ctx);
    const unit = accountsOf("bu-late");
    expect(unit).toHaveLength(1);
    expect(unit[0]).toMatchObject({ name: "Late Corporation", ct_business_unit_key: "late" });
    expect(contactsOf("assoc-early")[0]).toMatchObject({ primary_account_id: unit[0]!.id, business_role: "buyer", phone_work: "+4930123456" });
    expect(accountsOf("bu-late-div")[0]?.parent_id).toBe(accountsOf("bu-late-parent")[0]!.id);
    expect(accountsOf("bu-late-parent")).toHaveLength(1);
  });
});

describe("CRM One adapter: orders as notes", () => {
  it("writes an order before its customer onto a placeholder contact that the customer's sync completes", async () => {
    const a = adapter();
    const [written] = await a.upsertOrders([order("o-early", "cust-late")], ctx);
    expect(written).toMatchObject({ ok: true, created: true });
    expect(contactsOf("cust-late")).toMatchObject([{ last_name: "[not provided]", email1: "cust-late@example.com" }]);
    await a.upsertPeople([person("cust-late")], ctx);
    const [contact] = contactsOf("cust-late");
    expect(contactsOf("cust-late")).toHaveLength(1);
    expect(contact).toMatchObject({ first_name: "Jane", last_name: "Doe-cust-late" });
    expect(notesOf("o-early")).toMatchObject([{ parent_type: "Contacts", parent_id: contact!.id, contact_id: contact!.id }]);
  });

  it("rewrites the note when the order's state changes, and never makes a second one", async () => {
    const a = adapter();
    await a.upsertOrders([order("o-state", "cust-state")], ctx);
    await Promise.all([a, adapter()].map((p) => p.upsertOrders([order("o-state", "cust-state", { orderState: "Complete", shipmentState: "Shipped" })], ctx)));
    const notes = notesOf("o-state");
    expect(notes).toHaveLength(1);
    expect(notes[0]!.description).toMatch(/^Order state: Complete$/m);
    expect(notes[0]!.description).toMatch(/^Shipment state: Shipped$/m);
  });

  it("attaches a guest's order to the contact with its email, and a business unit's order to its account", async () => {
    const a = adapter();
    await a.upsertPeople([person("guest-target", { email: "guest.target@example.com" })], ctx);
    await a.upsertOrders([order("o-guest", "unused", { personSourceId: undefined, email: "guest.target@example.com" })], ctx);
    expect(notesOf("o-guest")[0]?.contact_id).toBe(contactsOf("guest-target")[0]!.id);
    await a.upsertOrders([order("o-unit", "unused", { personSourceId: undefined, email: undefined, companySourceId: "bu-orders" })], ctx);
    expect(notesOf("o-unit")[0]).toMatchObject({ parent_type: "Accounts", account_id: accountsOf("bu-orders")[0]!.id });
    const [nowhere] = await a.upsertOrders([order("o-nowhere", "unused", { personSourceId: undefined, email: "nobody@example.com" })], ctx);
    expect(nowhere).toMatchObject({ ok: false, error: { errorClass: "not_found" } });
  });
});

describe("CRM One adapter: what the CRM holds of its own", () => {
  it("keeps categories people added, and replaces only the store and locale ones", async () => {
    const a = adapter();
    await a.upsertPeople([person("cat-1")], ctx);
    const id = contactsOf("cat-1")[0]!.id;
    sim.store.update("Contact", id, { categories: "vip, store:berlin, locale:de-DE" });
    await a.upsertPeople([person("cat-1", { storeKeys: ["boston"], locale: "en-US", sourceVersion: 2 })], ctx);
    expect(contactsOf("cat-1")[0]!.categories).toBe("vip, store:boston, locale:en-US");
  });

  it("writes a consent withdrawal with its date, and does not undo a newer consent event recorded in the CRM", async () => {
    const a = adapter();
    await a.upsertPeople([person("consent-1", { emailConsent: { granted: false, at: "2026-11-15T09:00:00.000Z" } })], ctx);
    expect(contactsOf("consent-1")[0]).toMatchObject({ email_opt_out: true, email_opt_in: false, email_opt_in_date: "2026-11-15T09:00:00.000Z" });
    sim.store.update("Contact", contactsOf("consent-1")[0]!.id, { email_opt_out: false, email_opt_in: true, email_opt_in_date: "2026-11-20T12:00:00.000Z" });
    await a.upsertPeople([person("consent-1", { emailConsent: { granted: false, at: "2026-11-15T09:00:00.000Z" }, lastName: "Kept" })], ctx);
    expect(contactsOf("consent-1")[0]).toMatchObject({ last_name: "Kept", email_opt_out: false, email_opt_in: true, email_opt_in_date: "2026-11-20T12:00:00.000Z" });
  });
});

describe("CRM One adapter: pace", () => {
  it("stays below the pace it is set to: an instance limited to 10 in any second answers no 429 to a pace of 5", async () => {
    // The pacer counts per one-second window; two windows' requests can meet within one second, so the pace is half the limit.
    sim.throttle.configure(10);
    const refused = sim.throttle.refused;
    try {
      const a = adapter({ CRMONE_REQUESTS_PER_SECOND: "5" });
      const outcomes = await a.upsertPeople(Array.from({ length: 8 }, (_, i) => person(`paced-${i}`)), ctx);
      expect(outcomes.every((o) => o.ok)).toBe(true);
    } finally {
      sim.throttle.configure(undefined);
    }
    expect(sim.throttle.refused - refused).toBe(0);
  });

  it("holds every request back for the Retry-After a 429 announced", async () => {
    const a = adapter();
    await a.ensureSchema(ctx);
    await fetch(`${sim.origin}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: 429, times: 1, retryAfterSeconds: 2 }) });
    const error = await a.upsertPeople([person("held-back")], ctx).catch((e: unknown) => e);
    expect((error as SyncError).details).toMatchObject({ errorClass: "throttled", retryAfterSeconds: 2 });
    const started = Date.now();
    await a.findPeople({ sourceId: "held-back" }, ctx);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });
});

describe("CRM One adapter: reconciliation", () => {
  it("lists every contact carrying a customer ID once, while it deletes what it read and others delete and create", async () => {
    const recon = await startCrmOneSimulator();
    try {
      // Entered an hour ago: what arrives while reconciliation runs sorts after them.
      recon.store.now = () => new Date(Date.now() - 3_600_000);
      for (let i = 0; i < 450; i++) recon.store.create("Contact", { last_name: `R${i}`, ...(i % 10 === 9 ? {} : { ct_customer_id: `r-${i}` }) });
      recon.store.now = () => new Date();
      const reconcile = adapter({}, () => recon).reconcile!;
      const seen: string[] = [];
      const deletedUnread = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await reconcile.listPeople(cursor, ctx);
        seen.push(...page.people.map((p) => p.sourceId));
        // What it read goes (orphans, say), someone deletes one it has not read yet, and a new contact arrives.
        for (const p of page.people.slice(0, 5)) await reconcile.deletePerson(p.crmId, ctx);
        const unread = [...recon.store.table("Contact").values()].find((c) => typeof c.ct_customer_id === "string" && c.ct_customer_id.startsWith("r-") && !seen.includes(c.ct_customer_id));
        if (unread) {
          recon.store.delete("Contact", unread.id);
          deletedUnread.add(unread.ct_customer_id as string);
        }
        recon.store.create("Contact", { last_name: "New", ct_customer_id: `new-${pages}` });
        cursor = page.cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(seen.length);
      // After the first two pages (after the last, nothing is left unread).
      expect(deletedUnread.size).toBe(2);
      const expected = Array.from({ length: 450 }, (_, i) => i)
        .filter((i) => i % 10 !== 9)
        .map((i) => `r-${i}`)
        .filter((id) => !deletedUnread.has(id));
      expect(seen.filter((s) => s.startsWith("r-")).sort()).toEqual(expected.sort());
      await reconcile.deletePerson("00000000-0000-0000-0000-000000000000", ctx);
    } finally {
      await recon.close();
    }
  });

  it("compares the values it writes, in the form it reads them back", async () => {
    const reconcile = adapter().reconcile!;
    expect(reconcile.expectedPersonValues(person("cmp", { email: "Mixed@Example.com" }))).toEqual({ first_name: "Jane", last_name: "Doe-cmp", email1: "mixed@example.com", phone_mobile: "+4930123456" });
  });
});

describe("CRM One adapter: the 1CRM OpenAPI files", () => {
  it("every request it sent, and every answer, agrees with them", () => {
    expect(checkExchanges(sim.exchanges, customFields)).toEqual([]);
  });
});
