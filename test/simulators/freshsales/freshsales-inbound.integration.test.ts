import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/freshsales/connector";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmConnection } from "@ct-crm-sync/core/ports/crm-connector";
import { type CrmChange, crmSnapshotSchema } from "@ct-crm-sync/core/ports/crm-inbound";
import { company, deal as cartOf, order, person } from "../../conformance/fixtures";
import { startFreshsalesSimulator, type FreshsalesSimulator } from ".";
import { undocumented } from "./spec/paths";

const ctx = { correlationId: "fs-inbound-test" };
const secret = "sixteen-characters-at-least";
/** The template the README has the admin paste, one per module. */
const templateFor = (one: string) => `{"module":"${one}","id":"{{${one}.id}}","updated_at":"{{${one}.updated_at}}","updater_id":"{{${one}.updater_id}}"}`;

type Received = { headers: IncomingMessage["headers"]; body: Buffer };

describe("Freshsales inbound against the simulator", () => {
  let sim: FreshsalesSimulator;
  let connection: CrmConnection;
  let receiver: Server;
  const received: Received[] = [];
  /** A salesperson working in Freshsales: their own API key, so their changes are not the integration's. */
  const api = (method: string, path: string, body?: unknown) =>
    fetch(sim.url + path, {
      method,
      headers: { authorization: `Token token=${sim.salesApiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => (await r.json()) as Record<string, any>);

  beforeAll(async () => {
    sim = await startFreshsalesSimulator();
    const settings = { FRESHSALES_API_URL: sim.url, FRESHSALES_API_KEY: sim.apiKey, FRESHSALES_WEBHOOK_SECRET: secret, FRESHSALES_API_USER_ID: String(sim.userId), FRESHSALES_REQUESTS_PER_SECOND: "50" };
    connection = connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock });
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/freshsales`;
    // The admin's set-up, as the README describes it: a workflow per module, the secret header, the template.
    for (const [module, one] of [["contacts", "contact"], ["deals", "deal"]] as const) {
      sim.addWorkflow({ module, on: ["created", "updated"], url, headers: { "x-ct-crm-sync-secret": secret }, template: templateFor(one) });
    }
  });
  afterAll(async () => {
    await sim?.close();
    await new Promise((resolve) => receiver.close(resolve));
    expect(undocumented(sim.recorded)).toEqual([]);
  });

  it("verifies and parses what a workflow delivers for a change made in Freshsales, naming the record that changed", async () => {
    await connection.outbound.upsertPeople([person("in-1")], ctx);
    const contact = sim.store.find("contacts", "cf_ct_customer_id", "in-1")[0]!;
    // Our own write fired the workflow too (creations trigger it): a delivery of a change the integration user made, nothing to apply.
    await sim.settled();
    expect(received).toHaveLength(1);
    const echo = { headers: received[0]!.headers as Record<string, string>, query: {}, rawBody: received[0]!.body, receivedAt: new Date() };
    expect(connection.inbound.verify(echo)).toBeUndefined();
    expect(connection.inbound.parse(echo).changes).toEqual([]);
    received.length = 0;
    await api("PUT", `/contacts/${contact.id}`, { contact: { custom_field: { cf_ct_follow_up: true }, tags: ["VIP", " wholesale ", "VIP", ""] } });
    await sim.settled();
    expect(received).toHaveLength(1);
    const delivery = { headers: received[0]!.headers as Record<string, string>, query: {}, rawBody: received[0]!.body, receivedAt: new Date() };
    expect(connection.inbound.verify(delivery)).toBeUndefined();
    const { changes } = connection.inbound.parse(delivery);
    expect(changes).toEqual([{ entity: "person", crmId: String(contact.id), action: "updated", modifiedAt: contact.updated_at, deliveryId: `person:${contact.id}:${contact.updated_at}` }]);
    expect(connection.inbound.verify({ ...delivery, headers: { ...delivery.headers, "x-ct-crm-sync-secret": "forged-forged-forged" } })).toMatchObject({ status: 401 });
  });

  it("reads a contact back as the port's snapshot: standard fields, follow-up flag, tags as segments, its account, every field by API name", async () => {
    await connection.outbound.upsertCompanies([company("bu-in")], ctx);
    await connection.outbound.upsertPeople([person("in-2", { companySourceId: "bu-in", emailConsent: { granted: true, at: "2026-11-01T00:00:00.000Z" } })], ctx);
    const contact = sim.store.find("contacts", "cf_ct_customer_id", "in-2")[0]!;
    await api("PUT", `/contacts/${contact.id}`, { contact: { tags: ["gold", "gold ", "b2b"], custom_field: { cf_ct_follow_up: true } } });
    const snapshot = crmSnapshotSchema.parse(await connection.inbound.readRecord("person", String(contact.id), ctx));
    const account = sim.store.find("sales_accounts", "cf_ct_business_unit_id", "bu-in")[0]!;
    expect(snapshot).toMatchObject({
      entity: "person",
      crmId: String(contact.id),
      sourceId: "in-2",
      fields: { firstName: "Jane", lastName: "Doe-in-2", email: "in-2@example.com", phone: "+4930123456", "address.city": "Berlin", "address.country": "DE", "emailConsent.granted": true },
      followUp: true,
      segments: ["gold", "b2b"],
      companyCrmId: String(account.id),
      crmFields: { first_name: "Jane", cf_ct_customer_id: "in-2", cf_ct_follow_up: true, tags: ["gold", "gold ", "b2b"] },
    });
    expect(crmSnapshotSchema.parse(await connection.inbound.readRecord("company", String(account.id), ctx))).toMatchObject({ entity: "company", sourceId: "bu-in", fields: { name: "ACME bu-in", "address.city": "Boston" } });
    expect(await connection.inbound.readRecord("person", "16999999999", ctx)).toBeUndefined();
    expect(await connection.inbound.readRecord("person", "not-an-id", ctx)).toBeUndefined();
  });

  it("reads a deal back with its stage's standing, its contact and account, and its CPQ products as lines by SKU", async () => {
    await connection.outbound.upsertOrders([order("in-o1", "in-2", { paymentState: "Paid" })], ctx);
    const deal = sim.store.find("deals", "cf_ct_order_id", "in-o1")[0]!;
    const cup = (await api("POST", "/cpq/products", { product: { name: "Espresso cup", sku_number: "CUP-ESP", unit_price: 10 } })).product;
    const service = (await api("POST", "/cpq/products", { product: { name: "Installation" } })).product;
    await api("PUT", `/deals/${deal.id}`, { deal: { products: [{ id: cup.id, quantity: 3 }, { id: service.id, quantity: 1 }] } });
    const snapshot = crmSnapshotSchema.parse(await connection.inbound.readRecord("deal", String(deal.id), ctx));
    const contact = sim.store.find("contacts", "cf_ct_customer_id", "in-2")[0]!;
    expect(snapshot).toMatchObject({
      entity: "deal",
      sourceId: "in-o1",
      deal: { name: "Order ON-in-o1", stage: "Won", status: "won", amount: 123.45, currency: "EUR", personCrmId: String(contact.id), lines: [{ sku: "CUP-ESP", quantity: 3 }] },
    });
    // A deal sales opened by hand, in an open stage, without products.
    const own = (await api("POST", "/deals", { deal: { name: "Quote for Jane", amount: 50, contacts_added_list: [contact.id], deal_stage_id: 9002 } })).deal;
    expect(crmSnapshotSchema.parse(await connection.inbound.readRecord("deal", String(own.id), ctx))).toMatchObject({ deal: { stage: "Negotiation", status: "open", lines: [] } });
    // A cart's deal with products Sales added: no lines, so it never starts another commercetools cart.
    const [cartDeal] = await connection.outbound.upsertDeals!([cartOf("in-cart", "in-2")], ctx);
    await api("PUT", `/deals/${cartDeal!.ok && cartDeal!.crmId}`, { deal: { products: [{ id: cup.id, quantity: 1 }], deal_stage_id: 9002 } });
    const cartSnapshot = crmSnapshotSchema.parse(await connection.inbound.readRecord("deal", String(cartDeal!.ok && cartDeal!.crmId), ctx));
    expect(cartSnapshot).toMatchObject({ deal: { name: "Cart · 3 items · berlin", stage: "Negotiation", status: "open", amount: 123.45, personCrmId: String(contact.id) } });
    expect(cartSnapshot.entity === "deal" && cartSnapshot.deal.lines).toBeUndefined();
  });

  it("polls changes page by page from a checkpoint, each change once, and later changes in the next pass", async () => {
    const listAll = async (from: string | undefined) => {
      const changes: CrmChange[] = [];
      let checkpoint = from;
      for (let calls = 0; calls < 50; calls++) {
        const page = await connection.inbound.changesSince!("person", checkpoint, ctx);
        changes.push(...page.changes);
        if (page.checkpoint === checkpoint) return { changes, checkpoint };
        checkpoint = page.checkpoint;
        if (page.changes.length === 0 && JSON.parse(checkpoint!).page === undefined) return { changes, checkpoint };
      }
      throw new Error("polling never settled");
    };
    const start = connection.inbound.checkpointAt!(new Date().toISOString());
    await new Promise((resolve) => setTimeout(resolve, 5));
    await connection.outbound.bulk!.upsertPeople(Array.from({ length: 250 }, (_, i) => person(`poll-${i}`)), ctx);
    // Our own writes move the checkpoint past them without being changes; the salesperson's are.
    expect((await listAll(start)).changes).toEqual([]);
    const written = [...sim.store.records.contacts.values()].filter((c) => String(c.custom.cf_ct_customer_id ?? "").startsWith("poll-"));
    for (const contact of written) await api("PUT", `/contacts/${contact.id}`, { contact: { job_title: "Buyer" } });
    const first = await listAll(start);
    expect(new Set(first.changes.map((c) => c.crmId)).size).toBe(250);
    expect(first.changes).toHaveLength(250);
    // Nothing changed: the same checkpoint comes back, for one call.
    const before = sim.recorded.length;
    expect((await connection.inbound.changesSince!("person", first.checkpoint, ctx)).checkpoint).toBe(first.checkpoint);
    expect(sim.recorded.length - before).toBe(1);
    // One more change is the next pass's only change.
    const one = sim.store.find("contacts", "cf_ct_customer_id", "poll-7")[0]!;
    await api("PUT", `/contacts/${one.id}`, { contact: { job_title: "Chef" } });
    const next = await listAll(first.checkpoint);
    expect(next.changes.map((c) => c.crmId)).toEqual([String(one.id)]);
  });

  it("adopts a contact born in Freshsales: our ID written onto it, so the outbound upsert updates it", async () => {
    const born = (await api("POST", "/contacts", { contact: { first_name: "Crm", last_name: "Born", email: "born@example.com" } })).contact;
    await connection.inbound.adopt!("person", String(born.id), "cust-born", ctx);
    const [outcome] = await connection.outbound.upsertPeople([person("cust-born", { email: "born@example.com" })], ctx);
    expect(outcome).toMatchObject({ ok: true, crmId: String(born.id), created: false });
  });
});
