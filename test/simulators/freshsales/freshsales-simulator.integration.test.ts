import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFreshsalesSimulator, type FreshsalesSimulator } from ".";
import { communityDescription, operationOf, undocumented, vendorReferenceOnly } from "./spec/paths";

/** The simulator as a client sees it: HTTP only, the documented error shape checked on every refusal. */
function client(sim: FreshsalesSimulator, base = sim.url, apiKey = sim.apiKey) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      headers: { authorization: `Token token=${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text === "" ? undefined : (JSON.parse(text) as Record<string, any>);
    if (response.status >= 400) expect(json, `${method} ${path} error shape`).toMatchObject({ errors: { code: response.status, message: expect.any(Array) } });
    return { status: response.status, headers: response.headers, body: json! };
  };
}

const jane = (id: string, extra: Record<string, unknown> = {}) => ({ first_name: "Jane", last_name: "Doe", email: `${id}@example.com`, custom_field: { cf_ct_customer_id: id }, ...extra });

describe("Freshsales simulator", () => {
  let sim: FreshsalesSimulator;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    sim = await startFreshsalesSimulator();
    api = client(sim);
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(() => {
    sim.budget.configure({ perHour: 5_000, perMinute: 400, retryAfter: true });
    sim.store.searchDelayMs = 0;
  });

  it("refuses a missing or wrong API key with 401, and takes the key as `Token token=<key>` on both base paths", async () => {
    expect((await client(sim, sim.url, "wrong")("GET", "/contacts/filters")).status).toBe(401);
    const bare = await fetch(`${sim.url}/contacts/filters`);
    expect(bare.status).toBe(401);
    expect((await api("GET", "/contacts/filters")).status).toBe(200);
    expect((await client(sim, sim.legacyUrl)("GET", "/contacts/filters")).status).toBe(200);
  });

  it("upserts on a unique custom field: 201 with the new contact, then 200 updating the same one", async () => {
    const created = await api("POST", "/contacts/upsert", { unique_identifier: { cf_ct_customer_id: "c-1" }, contact: jane("c-1") });
    expect(created.status).toBe(201);
    expect(created.body.contact).toMatchObject({ id: expect.any(Number), email: "c-1@example.com", custom_field: { cf_ct_customer_id: "c-1", cf_ct_follow_up: null } });
    const updated = await api("POST", "/contacts/upsert", { unique_identifier: { cf_ct_customer_id: "c-1" }, contact: { last_name: "Smith" } });
    expect(updated.status).toBe(200);
    expect(updated.body.contact).toMatchObject({ id: created.body.contact.id, first_name: "Jane", last_name: "Smith", creater_id: sim.userId, updater_id: sim.userId });
    // Each key is a user's: a salesperson's change carries them as the last updater.
    const bySales = await client(sim, sim.url, sim.salesApiKey)("PUT", `/contacts/${created.body.contact.id}`, { contact: { job_title: "Chef" } });
    expect(bySales.body.contact).toMatchObject({ creater_id: sim.userId, updater_id: 1002 });
  });

  it("refuses an identifier that is not one unique field, unknown fields, bad values and a value another record holds", async () => {
    const refused = async (body: unknown) => (await api("POST", "/contacts/upsert", body)).body.errors.message as string[];
    expect(await refused({ unique_identifier: { first_name: "Jane" }, contact: {} })).toEqual(["unique_identifier must name one unique field and its value"]);
    expect(await refused({ unique_identifier: { cf_ct_customer_id: "c-2", emails: "x@example.com" }, contact: {} })).toHaveLength(1);
    expect(await refused({ unique_identifier: { cf_ct_customer_id: "c-2" }, contact: { ...jane("c-2"), shoe_size: 42 } })).toEqual(["shoe_size is not a valid attribute"]);
    expect(await refused({ unique_identifier: { cf_ct_customer_id: "c-2" }, contact: { ...jane("c-2"), email: "not-an-email" } })).toEqual(["Emails is invalid"]);
    expect(await refused({ unique_identifier: { cf_ct_customer_id: "c-2" }, contact: { ...jane("c-2"), custom_field: { cf_nope: 1 } } })).toEqual(["Custom field cf_nope is not defined"]);
    expect(await refused({ unique_identifier: { cf_ct_customer_id: "c-2" }, contact: { email: "c-1@example.com" } })).toEqual(["Emails has already been taken"]);
    expect(await refused({ unique_identifier: { cf_ct_customer_id: "c-2" }, contact: { ...jane("c-2"), custom_field: { cf_ct_order_count: "three" } } })).toEqual(["Ct order count is invalid"]);
  });

  it("lets concurrent upserts of one new key race: one creates, the others are refused as taken, and one contact remains", async () => {
    sim.setUpsertGap(250);
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => api("POST", "/contacts/upsert", { unique_identifier: { cf_ct_customer_id: "c-race" }, contact: jane("c-race") })));
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      const losers = answers.filter((a) => a.status === 400).map((a) => a.body.errors.message as string[]);
      expect(losers.length).toBeGreaterThan(0);
      for (const messages of losers) expect(messages).toContain("Ct customer id has already been taken");
      expect(sim.store.find("contacts", "cf_ct_customer_id", "c-race")).toHaveLength(1);
    } finally {
      sim.setUpsertGap(2);
    }
  });

  it("runs bulk_upsert as a job: 202 with its ID, then per-record results by index once completed", async () => {
    const items = [
      { unique_identifier: { cf_ct_customer_id: "b-1" }, data: jane("b-1") },
      { unique_identifier: { cf_ct_customer_id: "b-2" }, data: jane("b-2", { email: "broken" }) },
      { unique_identifier: { cf_ct_customer_id: "c-1" }, data: { first_name: "Janet" } },
    ];
    const release = sim.jobs.hold();
    const accepted = await api("POST", "/contacts/bulk_upsert", { contacts: items });
    expect(accepted.status).toBe(202);
    const first = await api("GET", `/job_statuses/${accepted.body.job_id}`);
    expect(first.body.job_status).toMatchObject({ id: accepted.body.job_id, status: "queued", results: [] });
    release();
    await sim.settled();
    const done = await api("GET", `/job_statuses/${accepted.body.job_id}`);
    expect(done.body.job_status).toMatchObject({ status: "completed", total: 3, success_count: 2, failure_count: 1 });
    expect(done.body.job_status.results).toEqual([
      { index: 0, status: "success", id: expect.any(Number), action: "created" },
      { index: 1, status: "failure", errors: { code: 400, message: ["Emails is invalid"] } },
      { index: 2, status: "success", id: sim.store.find("contacts", "cf_ct_customer_id", "c-1")[0]!.id, action: "updated" },
    ]);
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ unique_identifier: { cf_ct_customer_id: `m-${i}` }, data: jane(`m-${i}`) }));
    expect(await api("POST", "/contacts/bulk_upsert", { contacts: tooMany })).toMatchObject({ status: 400, body: { errors: { message: ["At most 100 records can be upserted in one request"] } } });
    expect((await api("GET", "/job_statuses/no-such-job")).status).toBe(404);
  });

  it("finds records by exact field value with lookup, answered per entity, and not before search has indexed them", async () => {
    const byId = await api("GET", "/lookup?q=c-1&f=cf_ct_customer_id&entities=contact");
    expect(byId.body).toEqual({ contacts: { contacts: [expect.objectContaining({ custom_field: expect.objectContaining({ cf_ct_customer_id: "c-1" }) })] } });
    const byEmail = await api("GET", "/lookup?q=C-1%40Example.com&f=email&entities=contact,sales_account");
    expect(byEmail.body.contacts.contacts).toHaveLength(1);
    expect(byEmail.body.sales_accounts.sales_accounts).toEqual([]);
    sim.store.searchDelayMs = 300;
    await api("POST", "/contacts/upsert", { unique_identifier: { cf_ct_customer_id: "c-late" }, contact: jane("c-late") });
    expect((await api("GET", "/lookup?q=c-late&f=cf_ct_customer_id&entities=contact")).body.contacts.contacts).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await api("GET", "/lookup?q=c-late&f=cf_ct_customer_id&entities=contact")).body.contacts.contacts).toHaveLength(1);
    expect((await api("GET", "/lookup?q=x&f=email&entities=lead")).status).toBe(400);
  });

  it("pages the default view with page and per_page (at most 100), sorted as asked, saying how many pages there are", async () => {
    const { filters } = (await api("GET", "/contacts/filters")).body;
    expect(filters).toEqual([expect.objectContaining({ name: "All Contacts", is_default: true })]);
    const total = sim.store.records.contacts.size;
    const first = await api("GET", `/contacts/view/${filters[0].id}?page=1&per_page=2&sort=updated_at&sort_type=desc`);
    expect(first.body.contacts).toHaveLength(2);
    expect(first.body.meta).toEqual({ total, total_pages: Math.ceil(total / 2) });
    expect(first.body.contacts[0].updated_at >= first.body.contacts[1].updated_at).toBe(true);
    const capped = await api("GET", `/contacts/view/${filters[0].id}?per_page=500`);
    expect(capped.body.meta.total_pages).toBe(Math.ceil(total / 100));
    expect((await api("GET", "/contacts/view/999")).status).toBe(404);
  });

  it("holds sales accounts with parents and unique names, deals with stages, contacts, accounts and CPQ products", async () => {
    const parent = await api("POST", "/sales_accounts/upsert", { unique_identifier: { cf_ct_business_unit_id: "bu-1" }, sales_account: { name: "ACME" } });
    const child = await api("POST", "/sales_accounts/upsert", {
      unique_identifier: { cf_ct_business_unit_id: "bu-2" },
      sales_account: { name: "ACME East", parent_sales_account_id: parent.body.sales_account.id },
    });
    expect(child.body.sales_account.parent_sales_account_id).toBe(parent.body.sales_account.id);
    expect((await api("POST", "/sales_accounts", { sales_account: { name: "acme" } })).body.errors.message).toEqual(["Name has already been taken"]);
    const { deal_stages: stages } = (await api("GET", "/selector/deal_stages")).body;
    expect(stages.map((s: { forecast_type: string }) => s.forecast_type)).toEqual(["Open", "Open", "Won", "Lost"]);
    const product = await api("POST", "/cpq/products", { product: { name: "Espresso cup", sku_number: "CUP-ESP", unit_price: 10 } });
    const contact = sim.store.find("contacts", "cf_ct_customer_id", "c-1")[0]!;
    const deal = await api("POST", "/deals/upsert", {
      unique_identifier: { cf_ct_order_id: "o-1" },
      deal: { name: "Order 1", amount: 20, contacts_added_list: [contact.id], sales_account_id: parent.body.sales_account.id },
    });
    expect(deal.body.deal).toMatchObject({ deal_stage_id: stages[0].id, contact_ids: [contact.id], sales_account_id: parent.body.sales_account.id });
    await api("PUT", `/deals/${deal.body.deal.id}`, { deal: { deal_stage_id: stages[2].id, products: [{ id: product.body.product.id, quantity: 2 }] } });
    const read = await api("GET", `/deals/${deal.body.deal.id}?include=products`);
    expect(read.body.deal).toMatchObject({ deal_stage_id: stages[2].id, products: [{ sku_number: "CUP-ESP", quantity: 2, unit_price: 10 }] });
    expect((await api("PUT", `/deals/${deal.body.deal.id}`, { deal: { contacts_added_list: [1] } })).body.errors.message).toEqual(["Contact does not exist"]);
    expect((await api("GET", "/deals/1")).status).toBe(404);
    expect((await api("DELETE", `/deals/${deal.body.deal.id}`)).status).toBe(204);
  });

  it("lists every field of a module in its settings, ours among the custom ones", async () => {
    const { fields } = (await api("GET", "/settings/contacts/fields")).body;
    expect(fields).toContainEqual(expect.objectContaining({ name: "cf_ct_customer_id", custom: true }));
    expect(fields).toContainEqual(expect.objectContaining({ name: "first_name", custom: false }));
  });

  it("answers 429 over the per-minute or hourly budget, with Retry-After only when set to, counting nothing refused", async () => {
    sim.budget.configure({ perMinute: 2 });
    expect((await api("GET", "/contacts/filters")).status).toBe(200);
    expect((await api("GET", "/contacts/filters")).status).toBe(200);
    const refused = await api("GET", "/contacts/filters");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.body.errors.message).toEqual(["You have exceeded the limit of requests per minute"]);
    sim.budget.configure({ perHour: 1, retryAfter: false });
    await api("GET", "/contacts/filters");
    const hourly = await api("GET", "/contacts/filters");
    expect(hourly.status).toBe(429);
    expect(hourly.headers.get("retry-after")).toBeNull();
    expect(hourly.body.errors.message).toEqual(["You have exceeded the limit of requests per hour"]);
  });

  it("injects faults armed through /__sim/faults in Freshsales' own error shape", async () => {
    await fetch(`${sim.origin}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: 503, times: 1 }) });
    expect((await api("GET", "/contacts/filters")).status).toBe(503);
    await fetch(`${sim.origin}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: 429, times: 1, retryAfterSeconds: 7 }) });
    const throttled = await api("GET", "/contacts/filters");
    expect([throttled.status, throttled.headers.get("retry-after")]).toEqual([429, "7"]);
  });

  describe("workflow webhooks", () => {
    let receiver: Server;
    let url: string;
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    beforeAll(async () => {
      receiver = createServer((req, res) => {
        let body = "";
        req.on("data", (chunk: Buffer) => (body += chunk.toString()));
        req.on("end", () => {
          received.push({ headers: req.headers, body });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/freshsales`;
    });
    afterAll(async () => {
      sim.workflows.clear();
      await new Promise((resolve) => receiver.close(resolve));
    });

    it("fire for changes made through the API, with the admin's headers and the template's placeholders filled in", async () => {
      const template = '{"module":"contact","id":"{{contact.id}}","updated_at":"{{contact.updated_at}}","follow_up":"{{contact.cf_ct_follow_up}}","name":"{{contact.first_name}}"}';
      const response = await fetch(`${sim.origin}/__sim/freshsales/workflows`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ module: "contacts", on: ["updated"], url, headers: { "x-ct-crm-sync-secret": "s3cret" }, template }),
      });
      expect(response.status).toBe(201);
      const contact = sim.store.find("contacts", "cf_ct_customer_id", "c-1")[0]!;
      const updated = await api("PUT", `/contacts/${contact.id}`, { contact: { first_name: 'Jo "the boss"', custom_field: { cf_ct_follow_up: true } } });
      // Created records do not trigger an "updated" workflow.
      await api("POST", "/contacts/upsert", { unique_identifier: { cf_ct_customer_id: "c-quiet" }, contact: jane("c-quiet") });
      await sim.settled();
      expect(received).toHaveLength(1);
      expect(received[0]!.headers["x-ct-crm-sync-secret"]).toBe("s3cret");
      expect(JSON.parse(received[0]!.body)).toEqual({ module: "contact", id: String(contact.id), updated_at: updated.body.contact.updated_at, follow_up: "true", name: 'Jo "the boss"' });
      expect(sim.workflows.deliveries.at(-1)).toMatchObject({ status: 204, recordId: contact.id });
    });
  });

  it("keeps notes on a record: created, read beside it with include=notes, two creates of one text are two notes, deleted with 204", async () => {
    const contact = (await api("POST", "/contacts", { contact: jane("c-notes") })).body.contact;
    const note = { description: "Order 1 paid", targetable_type: "Contact", targetable_id: contact.id };
    const [first, second] = await Promise.all([api("POST", "/notes", { note }), api("POST", "/notes", { note })]);
    expect(first.status).toBe(201);
    expect(first.body.note).toMatchObject({ id: expect.any(Number), description: "Order 1 paid", targetable_type: "Contact", targetable_id: contact.id, created_at: expect.any(String) });
    const read = await api("GET", `/contacts/${contact.id}?include=notes`);
    expect(read.body.contact.id).toBe(contact.id);
    expect(read.body.notes.map((n: { id: number }) => n.id)).toEqual([first.body.note.id, second.body.note.id]);
    expect((await api("GET", `/contacts/${contact.id}`)).body.notes).toBeUndefined();
    expect((await api("PUT", `/notes/${second.body.note.id}`, { note: { description: "Order 1 paid, corrected" } })).body.note.description).toBe("Order 1 paid, corrected");
    expect((await api("DELETE", `/notes/${second.body.note.id}`)).status).toBe(204);
    expect((await api("DELETE", `/notes/${second.body.note.id}`)).status).toBe(404);
    expect((await api("GET", `/contacts/${contact.id}?include=notes`)).body.notes).toHaveLength(1);
    expect((await api("POST", "/notes", { note: { ...note, targetable_id: 1 } })).body.errors.message).toEqual(["Targetable does not exist"]);
    expect((await api("POST", "/notes", { note: { ...note, description: " " } })).status).toBe(400);
    // A record's deletion takes its notes with it.
    await api("DELETE", `/contacts/${contact.id}`);
    expect(sim.store.notes.has(first.body.note.id)).toBe(false);
  });

  it("answers a filtered search of a field among a list of values, every match (duplicates too), 100 a page, once indexed", async () => {
    for (const id of ["fs-1", "fs-2", "fs-3"]) await api("POST", "/deals", { deal: { name: `Deal ${id}`, custom_field: { cf_ct_cart_status: id === "fs-3" ? "lost" : "open" } } });
    const rule = (value: unknown, operator = "is_in") => ({ filter_rule: [{ attribute: "cf_ct_cart_status", operator, value }] });
    const found = await api("POST", "/filtered_search/deal?per_page=100", rule(["open", "won"]));
    expect(found.status).toBe(200);
    expect(found.body.deals.map((d: { name: string }) => d.name)).toEqual(["Deal fs-1", "Deal fs-2"]);
    expect(found.body.meta).toEqual({ total: 2, total_pages: 1 });
    expect((await api("POST", "/filtered_search/deal?per_page=1&page=2", rule(["OPEN"]))).body).toMatchObject({ deals: [{ name: "Deal fs-2" }], meta: { total: 2, total_pages: 2 } });
    expect((await api("POST", "/filtered_search/deal", rule("lost", "is"))).body.deals).toHaveLength(1);
    expect((await api("POST", "/filtered_search/deal", rule("lost", "contains"))).status).toBe(400);
    expect((await api("POST", "/filtered_search/lead", rule(["x"]))).status).toBe(404);
    // Search is indexed: a record written a moment ago is not found yet.
    sim.store.searchDelayMs = 60_000;
    await api("POST", "/deals", { deal: { name: "Deal fs-4", custom_field: { cf_ct_cart_status: "open" } } });
    expect((await api("POST", "/filtered_search/deal", rule(["open"]))).body.deals).toHaveLength(2);
  });

  it("serves only documented operations: every request of this file's is on the community or the vendor's list", () => {
    expect(undocumented(sim.recorded.filter((r) => r.status !== 404))).toEqual([]);
    expect(operationOf("POST", "/contacts/upsert")).toEqual({ operation: "POST /contacts/upsert", source: "community" });
    expect(operationOf("GET", "/lookup")).toEqual({ operation: "GET /lookup", source: "vendor-reference" });
    expect(operationOf("GET", "/contacts/42")).toMatchObject({ operation: "GET /contacts/{id}" });
    expect(operationOf("PATCH", "/contacts/42")).toBeUndefined();
    expect(new Set([...communityDescription, ...vendorReferenceOnly]).size).toBe(communityDescription.length + vendorReferenceOnly.length);
  });
});
