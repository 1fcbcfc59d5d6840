import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectorSetup, crmOneReader, startCrmOneSimulator, type CrmOneReader, type CrmOneSimulator } from "./index";
import { checkExchanges, coveredOperations } from "./spec/contract";

/**
 * The simulator as a 1CRM client sees it, over HTTP: auth, the data API's
 * paging and filters, the error shape, webhooks, faults. Every exchange is
 * checked against the 1CRM OpenAPI files at the end.
 */
let sim: CrmOneSimulator;
let crm: CrmOneReader;
const customFields = Object.fromEntries(Object.entries(connectorSetup.customFields).map(([model, fields]) => [model, Object.keys(fields)]));

async function raw(method: string, path: string, init: { body?: unknown; authorization?: string } = {}) {
  const token = await fetch(`${sim.url}/auth/user/access_token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: sim.clientId, client_secret: sim.clientSecret, scope: "read write" }),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: init.authorization ?? `Bearer ${token.access_token}`, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** A receiver for webhook deliveries: every body it got, answered with `status`. */
async function startReceiver(status = 200) {
  const received: { url: string; body: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ url: req.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  sim = await startCrmOneSimulator();
  crm = crmOneReader(sim.url, sim);
});
afterAll(async () => {
  await sim.close();
});

describe("CRM One simulator: auth", () => {
  it("issues a bearer token for the client-credentials grant, in JSON or as a form", async () => {
    const json = await fetch(`${sim.url}/auth/user/access_token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret", scope: "read write profile" }),
    });
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({ token_type: "Bearer", expires_in: 86_400, access_token: expect.any(String) });
    const form = await fetch(`${sim.url}/auth/user/access_token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret" }) });
    expect(form.status).toBe(200);
  });

  it("refuses a wrong client, a missing or unknown token, and answers in 1CRM's error shape", async () => {
    const wrong = await fetch(`${sim.url}/auth/user/access_token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "nope" }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "invalid_client", message: "Client authentication failed" });
    const missing = await fetch(`${sim.url}/data/Contact`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: "access_denied", hint: 'Missing "Authorization" header' });
    expect((await raw("GET", "/data/Contact", { authorization: "Bearer made-up" })).status).toBe(401);
  });

  it("accepts HTTP Basic with the user's name and password", async () => {
    const basic = `Basic ${Buffer.from("sandbox-client:sandbox-secret").toString("base64")}`;
    expect((await raw("GET", "/data/Account", { authorization: basic })).status).toBe(200);
  });

  it("stops accepting tokens an administrator revoked", async () => {
    const before = await raw("GET", "/data/Account");
    expect(before.status).toBe(200);
    const token = await fetch(`${sim.url}/auth/user/access_token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret" }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    sim.tokens.expireAll();
    expect((await raw("GET", "/data/Account", { authorization: `Bearer ${token.access_token}` })).status).toBe(401);
  });
});

describe("CRM One simulator: data", () => {
  it("creates, reads, updates and deletes contacts with custom fields, as {id}, {record} and {result}", async () => {
    const created = await raw("POST", "/data/Contact", { body: { data: { first_name: "Ada", last_name: "Lovelace", email1: "ada@example.com", ct_customer_id: "c-1", ct_follow_up: false } } });
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const read = await raw("GET", `/data/Contact/${id}`);
    expect(read.body.record).toMatchObject({ id, name: "Ada Lovelace", email1: "ada@example.com", ct_customer_id: "c-1", portal_active: false, assigned_user: "admin" });
    expect((read.body.record as { date_modified: string }).date_modified).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect((await raw("PATCH", `/data/Contact/${id}`, { body: { data: { ct_follow_up: true, email1: "" } } })).body).toEqual({ result: true });
    const trimmed = await raw("GET", `/data/Contact/${id}?fields[]=ct_follow_up&fields[]=email1`);
    expect(trimmed.body.record).toEqual({ id, ct_follow_up: true });
    expect((await raw("DELETE", `/data/Contact/${id}`)).body).toEqual({ result: true });
    const gone = await raw("GET", `/data/Contact/${id}`);
    expect(gone).toMatchObject({ status: 404, body: { message: "Not found" } });
  });

  it("creates a record with a chosen ID through PATCH with create: true", async () => {
    const id = "11111111-2222-3333-4444-555555555555";
    expect((await raw("PATCH", `/data/Account/${id}`, { body: { data: { name: "Upserted" } } })).status).toBe(404);
    expect((await raw("PATCH", `/data/Account/${id}`, { body: { data: { name: "Upserted" }, create: true } })).body).toEqual({ result: true });
    expect((await crm.get("Account", id, ["name"])).name).toBe("Upserted");
  });

  it("lists with fields[], filters[], order, offset and limit, and total_results", async () => {
    for (let i = 0; i < 5; i++) await crm.create("Contact", { first_name: `P${i}`, last_name: "Pager", ct_customer_id: `page-${i % 2}` });
    const page = await crm.page("Contact", { fields: ["first_name", "ct_customer_id"], filters: { last_name: "pager" }, order: "first_name DESC", offset: 1, limit: 2 });
    expect(page.total_results).toBe(5);
    expect(page.records.map((r) => r.first_name)).toEqual(["P3", "P2"]);
    expect(Object.keys(page.records[0]!).sort()).toEqual(["ct_customer_id", "first_name", "id"]);
    const filtered = await crm.page("Contact", { filters: { ct_customer_id: "PAGE-1", last_name: "Pager" } });
    expect(filtered.total_results).toBe(2);
    // Without fields[], a list answers the model's display fields only.
    expect(Object.keys(filtered.records[0]!).sort()).toEqual(["_display", "first_name", "id", "last_name", "name"]);
  });

  it("answers at most 200 records a list", async () => {
    for (let i = 0; i < 205; i++) sim.store.create("Account", { name: `Bulk ${i}`, account_type: "bulk" });
    const page = await crm.page("Account", { filters: { account_type: "bulk" }, limit: 500 });
    expect(page.records).toHaveLength(200);
    expect(page.total_results).toBe(205);
  });

  it("refuses unknown models, fields, filters and parameters, bad values and missing required fields", async () => {
    expect(await raw("GET", "/data/Acount")).toMatchObject({ status: 404, body: { message: "Model Acount not found" } });
    expect(await raw("GET", "/data/Contact?fields[]=shoe_size")).toMatchObject({ status: 400, body: { error: "invalid_request", message: "Unknown field shoe_size for model Contact" } });
    expect(await raw("GET", "/data/Contact?filters[description]=x")).toMatchObject({ status: 400, body: { message: "Unknown filter description for model Contact" } });
    expect((await raw("GET", "/data/Contact?_limit=5")).status).toBe(400);
    expect(await raw("POST", "/data/Contact", { body: { data: { last_name: "X", email1: "not-an-email" } } })).toMatchObject({
      status: 400,
      body: { error: "invalid_request", message: "Invalid email address in field email1" },
    });
    expect(await raw("POST", "/data/Contact", { body: { data: { first_name: "No last name" } } })).toMatchObject({ status: 400, body: { message: "Missing required field: last_name" } });
    expect((await raw("POST", "/data/Contact", { body: { data: { last_name: "X", do_not_call: "yes" } } })).status).toBe(400);
    expect((await raw("POST", "/data/Contact", { body: { data: { last_name: "X", date_modified: "2020-01-01 00:00:00" } } })).status).toBe(400);
    expect((await raw("POST", "/data/Contact", { body: { last_name: "no data wrapper" } })).status).toBe(400);
  });

  it("holds notes on contacts and accounts, and opportunities of an account", async () => {
    const account = await crm.create("Account", { name: "ACME", ct_business_unit_id: "bu-1" });
    const contact = await crm.create("Contact", { last_name: "Noted", primary_account_id: account });
    const note = await crm.create("Note", { name: "Order 1", parent_type: "Contacts", parent_id: contact, contact_id: contact, account_id: account, description: "Total: 1.00 EUR" });
    expect(await crm.get("Note", note)).toMatchObject({ parent: "Noted", contact: "Noted", account: "ACME", portal_flag: false, email_attachment: false });
    expect((await crm.page("Note", { filters: { name: "order 1" }, fields: ["parent_id"] })).records).toEqual([{ id: note, parent_id: contact }]);
    await crm.update("Note", note, { description: "Total: 2.00 EUR" });
    expect((await crm.get("Contact", contact, ["primary_account"])).primary_account).toBe("ACME");
    const opportunity = await crm.create("Opportunity", { name: "Big deal", account_id: account, amount: 1234.5, date_closed: "2026-12-31", sales_stage: "Prospecting" });
    expect(await crm.get("Opportunity", opportunity)).toMatchObject({ account: "ACME", amount_usdollar: 1234.5, currency: "USD", exchange_rate: "1", opportunities_number: expect.any(String) });
    await crm.update("Opportunity", opportunity, { sales_stage: "Closed Won" });
    expect((await crm.page("Opportunity", { filters: { account_id: account }, fields: ["sales_stage"] })).records).toEqual([{ id: opportunity, sales_stage: "Closed Won" }]);
    expect((await raw("DELETE", `/data/Note/${note}`)).body).toEqual({ result: true });
    expect((await raw("DELETE", `/data/Opportunity/${opportunity}`)).body).toEqual({ result: true });
    expect((await raw("POST", "/data/Opportunity", { body: { data: { name: "No amount", account_id: account, date_closed: "2026-12-31", sales_stage: "x" } } })).status).toBe(400);
    expect((await raw("DELETE", `/data/Account/${account}`)).body).toEqual({ result: true });
  });

  it("holds tasks on contacts, completed and dated, with the admin's key field as a filter", async () => {
    const contact = await crm.create("Contact", { last_name: "Tasked" });
    const task = await crm.create("Task", { name: "Order 1 paid", status: "Completed", date_start: "2026-11-24 15:04:05", parent_type: "Contacts", parent_id: contact, contact_id: contact, ct_timeline_key: "k-1" });
    expect(await crm.get("Task", task)).toMatchObject({ parent: "Tasked", contact: "Tasked", status: "Completed", priority: "Medium", is_private: false, date_start: "2026-11-24 15:04:05" });
    expect((await crm.page("Task", { filters: { ct_timeline_key: "K-1" }, fields: ["status"] })).records).toEqual([{ id: task, status: "Completed" }]);
    await crm.update("Task", task, { description: "called" });
    expect((await raw("DELETE", `/data/Task/${task}`)).body).toEqual({ result: true });
    expect((await raw("POST", "/data/Task", { body: { data: { status: "Completed" } } })).status).toBe(400);
  });

  it("filters by the beginning of a value, as 1CRM's own example lists Johnathan for John, and sorts by a custom field", async () => {
    for (const id of ["pre-10", "pre-1", "pre-2"]) await crm.create("Contact", { last_name: "Prefix", ct_customer_id: id });
    const page = await crm.page("Contact", { filters: { ct_customer_id: "pre-1" }, fields: ["ct_customer_id"], order: "ct_customer_id ASC, id ASC" });
    expect(page.records.map((r) => r.ct_customer_id)).toEqual(["pre-1", "pre-10"]);
  });
});

describe("CRM One simulator: webhooks", () => {
  it("delivers creates and updates made through the API to matching subscriptions, once, as the record's fields", async () => {
    const receiver = await startReceiver();
    try {
      const contacts = await crm.subscribe("Contact", `${receiver.url}/hook?model=Contact`);
      await crm.subscribe("Account", `${receiver.url}/hook?model=Account`, "update");
      expect(contacts).toMatch(/^[0-9a-f-]{36}$/);
      const id = await crm.create("Contact", { last_name: "Hooked", ct_customer_id: "hook-1" });
      const account = await crm.create("Account", { name: "Not announced on create" });
      await crm.update("Contact", id, { ct_follow_up: true });
      await crm.update("Account", account, { name: "Announced on update" });
      await sim.webhooks.settled();
      expect(receiver.received.map((r) => [r.url, r.body.id, r.body.ct_follow_up ?? null])).toEqual([
        ["/hook?model=Contact", id, null],
        ["/hook?model=Contact", id, true],
        ["/hook?model=Account", account, null],
      ]);
      expect(receiver.received[0]!.body).toMatchObject({ last_name: "Hooked", ct_customer_id: "hook-1", date_entered: expect.any(String), date_modified: expect.any(String), deleted: false });
      expect(sim.webhooks.deliveries.filter((d) => d.recordId === id).map((d) => d.status)).toEqual([200, 200]);
    } finally {
      for (const id of [...sim.store.webhooks.keys()]) sim.store.webhooks.delete(id);
      await receiver.close();
    }
  });

  it("fires only when the subscription's filter holds, and not at all without one", async () => {
    const receiver = await startReceiver();
    try {
      const equals = (value: string) => ({ glue: "and", conditions: [{ field: "last_name", filter: "eq", value, when: "current_value" }] });
      expect((await raw("POST", "/webhooks", { body: { type: "create", url: `${receiver.url}/eq`, model: "Contact", filters: equals("Wanted") } })).status).toBe(200);
      expect((await raw("POST", "/webhooks", { body: { type: "create", url: `${receiver.url}/none`, model: "Contact", filters: { glue: "or", conditions: [] } } })).status).toBe(200);
      await crm.create("Contact", { last_name: "Wanted" });
      await crm.create("Contact", { last_name: "Unwanted" });
      await sim.webhooks.settled();
      expect(receiver.received.map((r) => [r.url, r.body.last_name])).toEqual([["/eq", "Wanted"]]);
    } finally {
      for (const id of [...sim.store.webhooks.keys()]) sim.store.webhooks.delete(id);
      await receiver.close();
    }
  });

  it("refuses a subscription without its required parts, or with an unknown field or operator", async () => {
    expect((await raw("POST", "/webhooks", { body: { type: "create_update", url: "http://127.0.0.1:9/x", model: "Contact" } })).status).toBe(400);
    const bad = { type: "create_update", url: "http://127.0.0.1:9/x", model: "Contact", filters: { glue: "or", conditions: [{ field: "nope", filter: "eq", value: "1", when: "current_value" }] } };
    expect((await raw("POST", "/webhooks", { body: bad })).status).toBe(400);
    expect((await raw("POST", "/webhooks", { body: { ...bad, filters: { glue: "or", conditions: [{ field: "deleted", filter: "sounds_like", when: "current_value" }] } } })).status).toBe(400);
    expect((await raw("POST", "/webhooks", { body: { ...bad, model: "Shoe" } })).status).toBe(404);
  });

  it("records a delivery the receiver refused, and does not retry it", async () => {
    const receiver = await startReceiver(500);
    try {
      await crm.subscribe("Contact", `${receiver.url}/down`);
      await crm.create("Contact", { last_name: "Refused" });
      await sim.webhooks.settled();
      expect(receiver.received).toHaveLength(1);
      expect(sim.webhooks.deliveries.at(-1)).toMatchObject({ status: 500, model: "Contact" });
    } finally {
      for (const id of [...sim.store.webhooks.keys()]) sim.store.webhooks.delete(id);
      await receiver.close();
    }
  });
});

describe("CRM One simulator: faults and limits", () => {
  const arm = (spec: object) => fetch(`${sim.origin}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });

  it("answers an armed 429 with Retry-After and a 503 in the error shape, never on the token endpoint", async () => {
    await arm({ status: 429, times: 1, retryAfterSeconds: 3 });
    const throttled = await raw("GET", "/data/Contact");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("3");
    expect(throttled.body).toMatchObject({ error: "too_many_requests" });
    await arm({ status: 503, times: 1 });
    expect(await raw("GET", "/data/Contact")).toMatchObject({ status: 503, body: { error: "server_error" } });
    expect((await raw("GET", "/data/Contact")).status).toBe(200);
  });

  it("throttles to a configured rate with 429 and Retry-After", async () => {
    sim.throttle.configure(3);
    try {
      const token = `Basic ${Buffer.from("sandbox-client:sandbox-secret").toString("base64")}`;
      const statuses = await Promise.all(Array.from({ length: 6 }, () => fetch(`${sim.url}/data/Account?limit=1`, { headers: { authorization: token } }).then((r) => r.status)));
      expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    } finally {
      sim.throttle.configure(undefined);
    }
  });
});

describe("CRM One simulator: the 1CRM OpenAPI files", () => {
  it("every exchange above, request and answer, agrees with them; Contact, Account, Note, Opportunity and Task were all exercised", () => {
    const covered = coveredOperations(sim.exchanges);
    for (const model of ["Contact", "Account", "Note", "Opportunity", "Task"]) {
      for (const op of [`GET /data/${model}`, `POST /data/${model}`, `GET /data/${model}/{id}`, `PATCH /data/${model}/{id}`, `DELETE /data/${model}/{id}`]) {
        expect(covered, op).toContain(op);
      }
    }
    expect(covered).toContain("POST /webhooks");
    expect(checkExchanges(sim.exchanges, customFields)).toEqual([]);
  });

  it("reports what departs from them", () => {
    const at = (over: object) => ({ method: "POST", path: "/data/Contact", query: [] as [string, string][], body: { data: { last_name: "X" } }, status: 200, response: { id: "1" }, ...over });
    expect(checkExchanges([at({ body: { data: { last_name: 7 } } })], customFields)[0]?.problem).toMatch(/request body: .*must be string/);
    expect(checkExchanges([at({ body: { data: { last_name: "X", shoe_size: "9" } } })], customFields)[0]?.problem).toMatch(/shoe_size/);
    expect(checkExchanges([at({ method: "GET", path: "/data/Contact", query: [["_fields", "x"]], body: undefined, response: { records: [], total_results: 0 } })], customFields)[0]?.problem).toBe(
      "query parameter _fields is not declared",
    );
    expect(checkExchanges([at({ path: "/data/SalesOrder" })], customFields)[0]?.problem).toBe("no such operation in the 1CRM OpenAPI files");
    expect(checkExchanges([at({ method: "GET", path: "/data/Contact/1", body: undefined, response: { record: { id: "1" } } })], customFields)[0]?.problem).toMatch(/must have required property/);
    expect(checkExchanges([at({ status: 201 })], customFields)[0]?.problem).toMatch(/status 201 is not declared/);
  });
});
