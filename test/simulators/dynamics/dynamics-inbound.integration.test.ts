import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/dynamics/connector";
import { SyncError } from "@ct-crm-sync/core/domain/errors";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmConnection } from "@ct-crm-sync/core/ports/crm-connector";
import { crmSnapshotSchema, type CrmChange, type InboundRequest, type ParsedDelivery, type Refusal } from "@ct-crm-sync/core/ports/crm-inbound";
import { company, deal, orderEvent, person } from "../../conformance/fixtures";
import { startDynamicsSimulator, type DynamicsSimulator } from "./index";
import { dataverseReader, type DataverseReader } from "./reader";

const ctx = { correlationId: "corr-dyn-in" };
type Received = { refusal: Refusal | undefined; parsed?: ParsedDelivery; headers: InboundRequest["headers"] };

/** Our webhook endpoint in miniature: each delivery verified, then parsed, as the service's route does. */
async function endpoint(connection: () => CrmConnection) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const request: InboundRequest = {
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v])),
        query: Object.fromEntries(url.searchParams),
        rawBody: Buffer.concat(chunks),
        receivedAt: new Date(),
      };
      const refusal = connection().inbound.verify(request);
      received.push(refusal ? { refusal, headers: request.headers } : { refusal, parsed: connection().inbound.parse(request), headers: request.headers });
      res.statusCode = refusal ? refusal.status : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/dynamics`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Dataverse → us against the simulator: webhook steps on API changes, records read back, changes polled, contacts adopted. */
describe("Dynamics 365 inbound", () => {
  let sim: DynamicsSimulator;
  let connection: CrmConnection;
  let sales: DataverseReader;
  let hook: Awaited<ReturnType<typeof endpoint>>;
  let steps: string[] = [];
  const changes = () => hook.received.flatMap((r) => r.parsed?.changes ?? []);
  const salesWrite = async (method: string, path: string, body?: unknown) => {
    const answer = await sales.request(method, path, body);
    if (!answer.ok) throw new Error(`${method} ${path} answered ${answer.status}: ${await answer.text()}`);
    return answer.headers.get("odata-entityid")?.match(/\(([0-9a-f-]{36})\)$/)?.[1];
  };

  beforeAll(async () => {
    sim = await startDynamicsSimulator({ webhooks: { retryDelaysMs: [] } });
    connection = connector.connect(
      {
        DYNAMICS_ORG_URL: sim.url,
        DYNAMICS_AUTHORITY_URL: sim.url,
        DYNAMICS_TENANT_ID: sim.tenant,
        DYNAMICS_CLIENT_ID: "sandbox-client",
        DYNAMICS_CLIENT_SECRET: "sandbox-secret",
        DYNAMICS_WEBHOOK_KEY: "webhook-key-1",
        DYNAMICS_APPLICATION_USER_ID: sim.clients["sandbox-client"]!.userId,
      },
      { logger: new MemoryLogger(), clock: systemClock },
    );
    sales = dataverseReader(sim.url, { tenant: sim.tenant, clientId: "sandbox-sales", clientSecret: "sales-secret" });
    hook = await endpoint(() => connection);
    steps = ["contact", "account", "opportunity"].map((entity) => sim.webhooks.register({ url: hook.url, entity, messages: ["Create", "Update", "Delete"], auth: { kind: "WebhookKey", key: "webhook-key-1" } }).id);
    await connection.outbound.upsertCompanies([company("bu-in-1")], ctx);
    await connection.outbound.upsertPeople([person("cust-in-1", { companySourceId: "bu-in-1" })], ctx);
    await sim.webhooks.drained();
  });
  afterAll(async () => {
    await sim?.close();
    await hook?.close();
  });
  afterEach(() => {
    hook.received.length = 0;
  });

  it("recognises its own writes coming back: delivered and authentic, but no change to apply", async () => {
    await connection.outbound.upsertPeople([person("cust-in-1", { companySourceId: "bu-in-1", lastName: "Echo" })], ctx);
    await sim.webhooks.drained();
    expect(hook.received.length).toBeGreaterThan(0);
    expect(hook.received.every((r) => r.refusal === undefined)).toBe(true);
    expect(changes()).toEqual([]);
  });

  it("turns a salesperson's follow-up flag and segments into a change, and reads the contact back in canonical terms", async () => {
    const [contact] = await sales.all("/contacts?$select=contactid&$filter=ct_customerid eq 'cust-in-1'");
    const contactId = String(contact!.contactid);
    await salesWrite("PATCH", `/contacts(${contactId})`, { ct_followup: true, ct_segments: "vip; coffee-lovers;vip", telephone1: "+4930999" });
    await sim.webhooks.drained();
    const [change] = changes();
    expect(change).toMatchObject({ entity: "person", crmId: contactId, action: "updated", modifiedAt: expect.stringMatching(/Z$/) });
    const snapshot = await connection.inbound.readRecord("person", contactId, ctx);
    expect(crmSnapshotSchema.safeParse(snapshot).success).toBe(true);
    const [account] = await sales.all("/accounts?$select=accountid&$filter=ct_businessunitid eq 'bu-in-1'");
    expect(snapshot).toMatchObject({
      entity: "person",
      crmId: contactId,
      sourceId: "cust-in-1",
      followUp: true,
      segments: ["vip", "coffee-lovers"],
      companyCrmId: account!.accountid,
      fields: { firstName: "Jane", phone: "+4930999", email: "cust-in-1@example.com", "emailConsent.granted": true },
      crmFields: { ct_followup: true, ct_segments: "vip; coffee-lovers;vip" },
    });
    expect(snapshot!.modifiedAt).toBe(change!.modifiedAt);
  });

  it("refuses a delivery carrying the wrong key with 401", async () => {
    const step = sim.webhooks.register({ url: hook.url, entity: "account", messages: ["Update"], auth: { kind: "WebhookKey", key: "guessed" } });
    try {
      await salesWrite("PATCH", "/accounts(ct_businessunitid='bu-in-1')", { telephone1: "+1555" });
      await sim.webhooks.drained();
      const refused = hook.received.filter((r) => r.refusal);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.refusal).toMatchObject({ status: 401 });
      expect(sim.webhooks.deliveries.filter((d) => d.stepId === step.id).map((d) => d.status)).toEqual([401]);
      expect(changes()).toMatchObject([{ entity: "company", action: "updated" }]);
    } finally {
      sim.webhooks.remove(step.id);
    }
  });

  it("reads an opportunity back as a deal: status, amount, currency, contact, account and its products by SKU", async () => {
    const [contact] = await sales.all("/contacts?$select=contactid&$filter=ct_customerid eq 'cust-in-1'");
    const eur = await salesWrite("POST", "/transactioncurrencies", { isocurrencycode: "EUR", currencyname: "Euro" });
    const grinder = await salesWrite("POST", "/products", { name: "Coffee grinder", productnumber: "GRIND-1" });
    const opportunity = await salesWrite("POST", "/opportunities", {
      name: "Office coffee",
      stepname: "Propose",
      estimatedvalue: 206.9,
      "transactioncurrencyid@odata.bind": `/transactioncurrencies(${eur})`,
      "parentcontactid@odata.bind": `/contacts(${String(contact!.contactid)})`,
      "parentaccountid@odata.bind": "/accounts(ct_businessunitid='bu-in-1')",
    });
    await salesWrite("POST", "/opportunityproducts", { quantity: 2, "opportunityid@odata.bind": `/opportunities(${opportunity})`, "productid@odata.bind": `/products(${grinder})` });
    await salesWrite("POST", "/opportunityproducts", { quantity: 1, productdescription: "Write-in service", "opportunityid@odata.bind": `/opportunities(${opportunity})` });
    await sim.webhooks.drained();
    expect(changes()).toMatchObject([{ entity: "deal", crmId: opportunity, action: "created" }]);
    const deal = await connection.inbound.readRecord("deal", opportunity!, ctx);
    expect(crmSnapshotSchema.safeParse(deal).success).toBe(true);
    expect(deal).toMatchObject({
      entity: "deal",
      deal: { name: "Office coffee", stage: "Propose", status: "open", amount: 206.9, currency: "EUR", personCrmId: contact!.contactid, lines: [{ sku: "GRIND-1", quantity: 2 }] },
    });
  });

  it("never takes its own cart opportunities and timeline notes for changes: their deliveries give none, and polling lists none of them", async () => {
    const noteStep = sim.webhooks.register({ url: hook.url, entity: "annotation", messages: ["Create", "Update"], auth: { kind: "WebhookKey", key: "webhook-key-1" } });
    try {
      const since = connection.inbound.checkpointAt!(new Date(Date.now() - 2000).toISOString());
      const cart = deal("cart-in-1", "cust-in-1");
      const [written] = await connection.outbound.upsertDeals!([cart], ctx);
      expect(written).toMatchObject({ ok: true, created: true });
      expect(await connection.outbound.upsertDeals!([{ ...cart, sourceVersion: 2, status: "abandoned" }], ctx)).toMatchObject([{ ok: true }]);
      expect(await connection.outbound.upsertDeals!([{ ...cart, sourceVersion: 3, status: "lost" }], ctx)).toMatchObject([{ ok: true }]);
      expect(await connection.outbound.recordOrderEvents!([orderEvent("o-in-1", "cust-in-1", "paid")], ctx)).toMatchObject([{ ok: true, created: true }]);
      await sim.webhooks.drained();
      // Delivered as Dataverse delivers every change (the steps fire), authentic, and recognised as our own.
      expect(hook.received.filter((r) => r.headers["x-ms-dynamics-entity-name"] === "opportunity").length).toBeGreaterThanOrEqual(3);
      expect(hook.received.some((r) => r.headers["x-ms-dynamics-entity-name"] === "annotation")).toBe(true);
      expect(hook.received.every((r) => r.refusal === undefined)).toBe(true);
      expect(changes()).toEqual([]);

      const salesDeal = await salesWrite("POST", "/opportunities", { name: "Walk-in deal" });
      const polled = (await connection.inbound.changesSince!("deal", since, ctx)).changes.map((c) => c.crmId);
      expect(polled).toContain(salesDeal);
      expect(polled).not.toContain(written!.ok && written!.crmId);
    } finally {
      sim.webhooks.remove(noteStep.id);
    }
  });

  it("answers undefined for a record that is gone or an ID that names none", async () => {
    expect(await connection.inbound.readRecord("person", "00000000-0000-4000-8000-000000000000", ctx)).toBeUndefined();
    expect(await connection.inbound.readRecord("company", "1 or 1 eq 1", ctx)).toBeUndefined();
  });

  it("lists changes by modifiedon page by page, each once even when a thousand share a second, and nothing more until something changes", async () => {
    // Polling is what runs when webhooks do not: the steps are off for this one.
    for (const id of steps) sim.webhooks.remove(id);
    const start = connection.inbound.checkpointAt!(new Date(Date.now() - 1000).toISOString());
    await connection.outbound.bulk!.upsertPeople(Array.from({ length: 1500 }, (_, i) => person(`poll-${i}`)), ctx);
    const seen: CrmChange[] = [];
    let checkpoint: string | undefined = start;
    for (let call = 0; call < 10; call++) {
      const page = await connection.inbound.changesSince!("person", checkpoint, ctx);
      seen.push(...page.changes);
      if (page.checkpoint === checkpoint) break;
      checkpoint = page.checkpoint;
    }
    const ids = seen.map((c) => c.crmId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(1500);
    expect(seen.map((c) => c.modifiedAt)).toEqual([...seen.map((c) => c.modifiedAt!)].sort());
    const quiet = await connection.inbound.changesSince!("person", checkpoint, ctx);
    expect(quiet).toEqual({ changes: [], checkpoint });

    const [one] = await sales.all("/contacts?$select=contactid&$filter=ct_customerid eq 'poll-7'");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await salesWrite("PATCH", `/contacts(${String(one!.contactid)})`, { ct_followup: true });
    const after = await connection.inbound.changesSince!("person", checkpoint, ctx);
    expect(after.changes.map((c) => c.crmId)).toEqual([one!.contactid]);
  });

  it("adopts a contact born in the CRM (writes our ID into it), and refuses to re-create one that is gone", async () => {
    const born = await salesWrite("POST", "/contacts", { firstname: "Walk", lastname: "In" });
    await connection.inbound.adopt!("person", born!, "cust-adopted-1", ctx);
    const [row] = await sales.all(`/contacts?$select=ct_customerid&$filter=contactid eq ${born}`);
    expect(row).toMatchObject({ ct_customerid: "cust-adopted-1" });
    const error = await connection.inbound.adopt!("person", "00000000-0000-4000-8000-000000000009", "cust-x", ctx).catch((e: unknown) => e);
    expect((error as SyncError).errorClass).toBe("not_found");
    expect(await sales.all("/contacts?$select=contactid&$filter=ct_customerid eq 'cust-x'")).toHaveLength(0);
  });
});
