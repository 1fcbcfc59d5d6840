import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCloseSimulator, type CloseSimulator } from "./index";
import { checkRequests } from "./spec/contract";

let sim: CloseSimulator;
const auth = (key = "sandbox-key") => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: auth(), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as any };
}

async function field(scope: string, name: string, type = "text", extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call("POST", `/custom_field/${scope}/`, { name, type, ...extra });
  expect(r.status).toBe(200);
  expect(r.body.id).toMatch(/^cf_/);
  return r.body.id;
}

beforeAll(async () => {
  sim = await startCloseSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe("Close simulator", () => {
  it("answers 401 without the API key as Basic username, and sends RateLimit on every answer", async () => {
    const none = await fetch(`${sim.url}/lead/`);
    expect(none.status).toBe(401);
    expect(await none.json()).toHaveProperty("error");
    expect(none.headers.get("ratelimit")).toMatch(/^limit=\d+, remaining=\d+, reset=[\d.]+$/);
    expect((await call("GET", "/lead/", undefined, { authorization: auth("wrong") })).status).toBe(401);
    // A password is not part of the scheme.
    const withPassword = `Basic ${Buffer.from("sandbox-key:secret").toString("base64")}`;
    expect((await call("GET", "/lead/", undefined, { authorization: withPassword })).status).toBe(401);
    const ok = await call("GET", "/lead/");
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ data: [], has_more: false });
    expect(ok.headers.get("ratelimit")).toMatch(/remaining=/);
  });

  it("creates leads with nested contacts, addresses and custom values in both forms; PUT is partial", async () => {
    const leadCf = await field("lead", "ct_customer_id");
    const contactCf = await field("contact", "ct_customer_id");
    const created = await call("POST", "/lead/", {
      name: "Jane Doe",
      [`custom.${leadCf}`]: "cust-1",
      addresses: [{ label: "business", address_1: "Main St 1", city: "Boston", zipcode: "02110", country: "US" }],
      contacts: [{ name: "Jane Doe", emails: [{ type: "office", email: "jane@example.com" }], custom_fields: { [contactCf]: "cust-1" } }],
    });
    expect(created.status).toBe(200);
    expect(created.body.id).toMatch(/^lead_/);
    expect(created.body[`custom.${leadCf}`]).toBe("cust-1");
    expect(created.body.contacts[0][`custom.${contactCf}`]).toBe("cust-1");
    expect(created.body.addresses[0]).toMatchObject({ city: "Boston", country: "US", state: null });

    const updated = await call("PUT", `/lead/${created.body.id}/`, { description: "VIP" });
    expect(updated.body).toMatchObject({ name: "Jane Doe", description: "VIP", [`custom.${leadCf}`]: "cust-1" });
    const unset = await call("PUT", `/lead/${created.body.id}/`, { [`custom.${leadCf}`]: null });
    expect(unset.body).not.toHaveProperty(`custom.${leadCf}`);

    const trimmed = await call("GET", `/lead/${created.body.id}/?_fields=id,name`);
    expect(trimmed.body).toEqual({ id: created.body.id, name: "Jane Doe" });
  });

  it("creates a lead named after a contact posted without lead_id, and moves contacts with PUT lead_id", async () => {
    const contact = await call("POST", "/contact/", { name: "Solo Person", emails: [{ email: "solo@example.com", type: "office" }] });
    expect(contact.status).toBe(200);
    const lead = await call("GET", `/lead/${contact.body.lead_id}/`);
    expect(lead.body.name).toBe("Solo Person");
    expect(lead.body.contact_ids).toEqual([contact.body.id]);
    const other = await call("POST", "/lead/", { name: "Other" });
    const moved = await call("PUT", `/contact/${contact.body.id}/`, { lead_id: other.body.id });
    expect(moved.body).toMatchObject({ lead_id: other.body.id, name: "Solo Person" });
    expect((await call("GET", `/contact/?lead_id=${other.body.id}`)).body.data).toHaveLength(1);
  });

  it("pages lists with _skip/_limit and has_more", async () => {
    for (let i = 0; i < 5; i++) await call("POST", "/lead/", { name: `Paged ${i}` });
    const all = await call("GET", "/lead/");
    const first = await call("GET", "/lead/?_skip=0&_limit=2");
    expect(first.body.data).toHaveLength(2);
    expect(first.body.has_more).toBe(true);
    const last = await call("GET", `/lead/?_skip=${all.body.data.length - 1}&_limit=2`);
    expect(last.body.data).toHaveLength(1);
    expect(last.body.has_more).toBe(false);
  });

  it("answers validation errors as {errors, field-errors} and other errors as {error}", async () => {
    const badEmail = await call("POST", "/contact/", { name: "X", emails: [{ email: "not-an-email" }] });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body).toEqual({ errors: [], "field-errors": { emails: "Invalid email address." } });
    const nested = await call("POST", "/lead/", { name: "Y", contacts: [{ emails: [{ email: "nope" }] }] });
    expect(nested.status).toBe(400);
    expect(nested.body["field-errors"].contacts).toContain("Invalid email address.");
    const missing = await call("POST", "/activity/note/", { note: "hi" });
    expect(missing.body["field-errors"]).toEqual({ lead_id: "This field is required." });
    const unknownField = await call("POST", "/lead/", { "custom.cf_nope": "x" });
    expect(unknownField.body["field-errors"]).toHaveProperty("custom.cf_nope");
    const notFound = await call("GET", "/lead/lead_missing/");
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({ error: "Lead not found." });
    // Close paths end with a slash; the simulator is as strict as the spec.
    expect((await call("GET", "/lead")).status).toBe(404);
    const wrongType = await fetch(`${sim.url}/lead/`, { method: "POST", headers: { authorization: auth(), "content-type": "text/plain" }, body: "x" });
    expect(wrongType.status).toBe(415);
  });

  it("searches with and/or, custom-field terms, email text conditions and cursor paging", async () => {
    const cf = await field("contact", "search_key");
    for (let i = 0; i < 5; i++) {
      await call("POST", "/contact/", { name: `Searchable ${i}`, emails: [{ email: `s${i}@search.example` }], [`custom.${cf}`]: i < 3 ? "group-a" : "group-b" });
    }
    const term = (value: string) => ({
      type: "field_condition",
      field: { type: "custom_field", custom_field_id: cf },
      condition: { type: "term", values: [value] },
    });
    const byTerm = await call("POST", "/data/search/", {
      query: { type: "and", queries: [{ type: "object_type", object_type: "contact" }, term("group-a")] },
      _fields: { contact: ["name", `custom.${cf}`] },
      _limit: 2,
    });
    expect(byTerm.status).toBe(200);
    expect(byTerm.body.data).toHaveLength(2);
    expect(byTerm.body.data[0]).toMatchObject({ __object_type: "contact", name: "Searchable 0", [`custom.${cf}`]: "group-a" });
    expect(byTerm.body.cursor).toEqual(expect.any(String));
    const next = await call("POST", "/data/search/", {
      query: { type: "and", queries: [{ type: "object_type", object_type: "contact" }, term("group-a")] },
      _limit: 2,
      cursor: byTerm.body.cursor,
    });
    expect(next.body.data).toHaveLength(1);
    expect(next.body.data[0]).toEqual({ __object_type: "contact", id: expect.stringMatching(/^cont_/) });
    expect(next.body.cursor).toBeNull();

    const either = await call("POST", "/data/search/", {
      query: { type: "and", queries: [{ type: "object_type", object_type: "contact" }, { type: "or", queries: [term("group-a"), term("group-b")] }] },
      _limit: 50,
    });
    expect(either.body.data).toHaveLength(5);

    const byEmail = await call("POST", "/data/search/", {
      query: {
        type: "has_related",
        this_object_type: "contact",
        related_object_type: "contact_email",
        related_query: {
          type: "field_condition",
          field: { type: "regular_field", object_type: "contact_email", field_name: "email" },
          condition: { type: "text", mode: "phrase", value: "s4@search.example" },
        },
      },
      _fields: { contact: ["name"] },
    });
    expect(byEmail.body.data.map((d: { name: string }) => d.name)).toEqual(["Searchable 4"]);
    const bad = await call("POST", "/data/search/", { query: { type: "nonsense" } });
    expect(bad.status).toBe(400);
    expect(bad.body).toHaveProperty("field-errors");
  });

  it("lags search behind writes when told to: a new contact is read by ID at once, found by search only after the index delay", async () => {
    const cf = await field("contact", "lag_key");
    const setDelay = (delayMs: number) => fetch(`${sim.origin}/__sim/close/search-index`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ delayMs }) });
    expect((await setDelay(300)).status).toBe(204);
    const created = await call("POST", "/contact/", { name: "Lagging", [`custom.${cf}`]: "lag-1" });
    const search = () =>
      call("POST", "/data/search/", {
        query: { type: "and", queries: [{ type: "object_type", object_type: "contact" }, { type: "field_condition", field: { type: "custom_field", custom_field_id: cf }, condition: { type: "term", values: ["lag-1"] } }] },
        _limit: 10,
      });
    expect((await search()).body.data).toEqual([]);
    expect((await call("GET", `/contact/${created.body.id}/`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 320));
    expect((await search()).body.data.map((d: { id: string }) => d.id)).toEqual([created.body.id]);
    expect((await setDelay(0)).status).toBe(204);
    expect((await fetch(`${sim.origin}/__sim/close/search-index`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(400);
  });

  it("keeps custom activity types, their fields and activities; notes; opportunities in cents", async () => {
    const type = await call("POST", "/custom_activity/", { name: "commercetools Order" });
    expect(type.status).toBe(201);
    const total = await field("activity", "total", "number", { custom_activity_type_id: type.body.id });
    const key = await field("activity", "key", "text", { custom_activity_type_id: type.body.id, required: true });
    const lead = await call("POST", "/lead/", { name: "Buyer" });
    const missingRequired = await call("POST", "/activity/custom/", { custom_activity_type_id: type.body.id, lead_id: lead.body.id, status: "published" });
    expect(missingRequired.body["field-errors"]).toEqual({ [`custom.${key}`]: "This field is required." });
    const notNumber = await call("POST", "/activity/custom/", { custom_activity_type_id: type.body.id, lead_id: lead.body.id, [`custom.${key}`]: "k", [`custom.${total}`]: "12" });
    expect(notNumber.status).toBe(400);
    const activity = await call("POST", "/activity/custom/", {
      custom_activity_type_id: type.body.id,
      lead_id: lead.body.id,
      status: "published",
      activity_at: "2026-11-20T10:00:00.000Z",
      [`custom.${key}`]: "k-1",
      custom_fields: { [total]: 123.45 },
    });
    expect(activity.status).toBe(200);
    expect(activity.body).toMatchObject({ _type: "Custom", [`custom.${total}`]: 123.45, [`custom.${key}`]: "k-1" });
    const updated = await call("PUT", `/activity/custom/${activity.body.id}/`, { [`custom.${total}`]: 99 });
    expect(updated.body).toMatchObject({ [`custom.${total}`]: 99, [`custom.${key}`]: "k-1" });
    const listed = await call("GET", `/activity/custom/?lead_id=${lead.body.id}&custom_activity_type_id=${type.body.id}`);
    expect(listed.body.data).toHaveLength(1);

    const note = await call("POST", "/activity/note/", { lead_id: lead.body.id, note: "Called back" });
    expect(note.body).toMatchObject({ _type: "Note", note: "Called back" });

    const fractional = await call("POST", "/opportunity/", { lead_id: lead.body.id, value: 12.5, value_currency: "EUR" });
    expect(fractional.body["field-errors"]).toHaveProperty("value");
    const opportunity = await call("POST", "/opportunity/", { lead_id: lead.body.id, value: 12345, value_currency: "EUR", value_period: "one_time" });
    expect(opportunity.body).toMatchObject({ value: 12345, value_formatted: "123.45 EUR" });

    const statuses = await call("GET", "/status/lead/");
    expect(statuses.body.data.map((s: { label: string }) => s.label)).toContain("Potential");

    expect((await call("DELETE", `/lead/${lead.body.id}/`)).status).toBe(200);
    expect((await call("GET", `/activity/custom/${activity.body.id}/`)).status).toBe(404);
  });

  it("keeps opportunity statuses in a pipeline, custom values on opportunities, the day won; lists activities of several leads", async () => {
    const pipelines = await call("GET", "/pipeline/");
    const pipelineId = pipelines.body.data[0].id as string;
    expect(pipelines.body.data[0].statuses.map((s: { type: string }) => s.type)).toEqual(["active", "won", "lost"]);
    const noPipeline = await call("POST", "/status/opportunity/", { label: "Stalled", type: "active" });
    expect(noPipeline.body["field-errors"]).toHaveProperty("pipeline_id");
    const stalled = await call("POST", "/status/opportunity/", { label: "Stalled", type: "active", pipeline_id: pipelineId });
    expect(stalled.body).toMatchObject({ label: "Stalled", type: "active", pipeline_id: pipelineId });
    expect((await call("POST", "/status/opportunity/", { label: "Stalled", type: "active", pipeline_id: pipelineId })).body["field-errors"]).toHaveProperty("label");
    const statuses = (await call("GET", "/status/opportunity/")).body.data as { id: string; label: string; type: string }[];
    const won = statuses.find((s) => s.type === "won")!;

    const key = await field("opportunity", "deal_key");
    const lead = await call("POST", "/lead/", { name: "Cart buyer" });
    const opportunity = await call("POST", "/opportunity/", { lead_id: lead.body.id, status_id: stalled.body.id, value: 500, value_currency: "EUR", [`custom.${key}`]: "k-1" });
    expect(opportunity.body).toMatchObject({ status_label: "Stalled", status_type: "active", pipeline_id: pipelineId, date_won: null, [`custom.${key}`]: "k-1" });
    const unknownField = await call("POST", "/opportunity/", { lead_id: lead.body.id, "custom.cf_unknown": "x" });
    expect(unknownField.body["field-errors"]).toHaveProperty("custom.cf_unknown");
    const closed = await call("PUT", `/opportunity/${opportunity.body.id}/`, { status_id: won.id, [`custom.${key}`]: null });
    expect(closed.body).toMatchObject({ status_type: "won", date_won: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) });
    expect(closed.body).not.toHaveProperty(`custom.${key}`);
    const reopened = await call("PUT", `/opportunity/${opportunity.body.id}/`, { status_id: stalled.body.id });
    expect(reopened.body.date_won).toBe(closed.body.date_won);

    const type = await call("POST", "/custom_activity/", { name: "Several leads" });
    const other = await call("POST", "/lead/", { name: "Other buyer" });
    const third = await call("POST", "/lead/", { name: "Not asked" });
    for (const l of [lead, other, third]) await call("POST", "/activity/custom/", { custom_activity_type_id: type.body.id, lead_id: l.body.id, status: "published" });
    const listed = await call("GET", `/activity/custom/?lead_id=${lead.body.id},${other.body.id}&custom_activity_type_id=${type.body.id}`);
    expect(listed.body.data.map((a: { lead_id: string }) => a.lead_id)).toEqual([lead.body.id, other.body.id]);
  });

  it("throttles like Close: injected faults and the switchable limiter", async () => {
    await fetch(`${sim.origin}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: 429, retryAfterSeconds: 2.5 }) });
    const injected = await call("GET", "/lead/");
    expect(injected.status).toBe(429);
    expect(injected.headers.get("retry-after")).toBe("3");
    expect(injected.headers.get("ratelimit")).toMatch(/remaining=0, reset=2\.5/);
    expect(injected.body.error).toMatchObject({ rate_reset: 2.5, message: expect.any(String) });

    sim.rateLimit({ limit: 2, windowSeconds: 30 });
    try {
      expect((await call("GET", "/lead/")).status).toBe(200);
      expect((await call("GET", "/lead/")).status).toBe(200);
      const limited = await call("GET", "/lead/");
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.body.error.rate_reset).toBeGreaterThan(0);
    } finally {
      sim.rateLimit({ limit: 10_000, windowSeconds: 10 });
    }
  });

  it("subscribes webhooks and delivers events signed with HMAC-SHA256 over timestamp + body", async () => {
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const sub = await call("POST", "/webhook/", { url, events: [{ object_type: "lead", action: "updated" }], verify_ssl: false });
      expect(sub.status).toBe(201);
      expect(sub.body.id).toMatch(/^whsub_/);
      expect(sub.body.signature_key).toMatch(/^[0-9a-f]{64}$/);
      expect((await call("GET", `/webhook/${sub.body.id}/`)).body).not.toHaveProperty("signature_key");

      const deliveries = await sim.deliverEvent({ object_type: "lead", action: "updated", object_id: "lead_1", lead_id: "lead_1", changed_fields: ["name"] }, { timestamp: 1_700_000_000 });
      expect(deliveries).toHaveLength(1);
      await sim.deliverEvent({ object_type: "contact", action: "created", object_id: "cont_1" });
      expect(received).toHaveLength(1);
      const [delivery] = received;
      const expected = createHmac("sha256", Buffer.from(sub.body.signature_key, "hex")).update(`1700000000${delivery!.body}`).digest("hex");
      expect(delivery!.headers["close-sig-timestamp"]).toBe("1700000000");
      expect(delivery!.headers["close-sig-hash"]).toBe(expected);
      expect(JSON.parse(delivery!.body)).toMatchObject({ subscription_id: sub.body.id, event: { object_type: "lead", action: "updated", changed_fields: ["name"] } });

      await sim.deliverEvent({ object_type: "lead", action: "updated", object_id: "lead_1" }, { tamper: true });
      const tampered = received[1]!;
      const recomputed = createHmac("sha256", Buffer.from(sub.body.signature_key, "hex")).update(`${tampered.headers["close-sig-timestamp"]}${tampered.body}`).digest("hex");
      expect(tampered.headers["close-sig-hash"]).not.toBe(recomputed);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

});

describe("Close simulator lookups after updates", () => {
  const search = async (fieldId: string, value: string) => {
    const query = { type: "and", queries: [{ type: "object_type", object_type: "contact" }, { type: "field_condition", field: { type: "custom_field", custom_field_id: fieldId }, condition: { type: "term", values: [value] } }] };
    const r = await call("POST", "/data/search/", { query, _fields: { contact: ["id", "lead_id"] } });
    expect(r.status).toBe(200);
    return (r.body.data as { id: string; lead_id: string }[]).map(({ id, lead_id }) => ({ id, lead_id }));
  };

  it("finds a contact by its current custom value and lists contacts and activities by their current lead", async () => {
    const cf = await field("contact", "lookup_key");
    const typeId = (await call("POST", "/custom_activity/", { name: "Lookup Order" })).body.id as string;
    const first = (await call("POST", "/lead/", { name: "First", contacts: [{ name: "Ann", custom_fields: { [cf]: "k-1" } }] })).body;
    const second = (await call("POST", "/lead/", { name: "Second" })).body;
    const contactId = first.contacts[0].id as string;
    expect((await search(cf, "k-1")).map((c) => c.id)).toEqual([contactId]);

    // A PUT changes the value and moves the contact: the old value and the old lead no longer find it.
    expect((await call("PUT", `/contact/${contactId}/`, { lead_id: second.id, custom_fields: { [cf]: "k-2" } })).status).toBe(200);
    expect(await search(cf, "k-1")).toEqual([]);
    expect(await search(cf, "k-2")).toEqual([{ id: contactId, lead_id: second.id }]);
    expect((await call("GET", `/contact/?lead_id=${first.id}`)).body.data).toEqual([]);
    expect((await call("GET", `/contact/?lead_id=${second.id}`)).body.data.map((c: { id: string }) => c.id)).toEqual([contactId]);

    // Activities follow their lead, and go with it.
    const activity = (await call("POST", "/activity/custom/", { custom_activity_type_id: typeId, lead_id: second.id, status: "published" })).body;
    const listed = await call("GET", `/activity/custom/?lead_id=${second.id}&custom_activity_type_id=${typeId}`);
    expect(listed.body.data.map((a: { id: string }) => a.id)).toEqual([activity.id]);
    expect((await call("DELETE", `/lead/${second.id}/`)).status).toBe(200);
    expect(await search(cf, "k-2")).toEqual([]);
    expect((await call("GET", `/activity/custom/?lead_id=${second.id}`)).body.data).toEqual([]);
    expect((await call("GET", `/activity/custom/${activity.id}/`)).status).toBe(404);
  });
});

// Runs last (its long check would hold up the requests of any test after it): everything the tests above got answered must be Close's published dialect.
it("accepted only requests Close's OpenAPI describes (paths, methods, query parameters, bodies, answers)", () => {
  expect(sim.recorded.length).toBeGreaterThan(40);
  expect(checkRequests(sim.recorded)).toEqual([]);
});

describe("OpenAPI drift check", () => {
  const entry = (over: Partial<Parameters<typeof checkRequests>[0][number]>) => ({
    method: "GET",
    path: "/lead/",
    query: {},
    body: {},
    status: 200,
    response: { data: [], has_more: false },
    ...over,
  });

  it("flags unknown paths, undeclared query parameters, invalid bodies, undeclared statuses and bad answers", () => {
    expect(checkRequests([entry({ path: "/lead/upsert/", method: "POST" })])[0]?.problem).toMatch(/no such operation/);
    expect(checkRequests([entry({ query: { lead_id: "x" } })])[0]?.problem).toMatch(/query parameter lead_id/);
    expect(checkRequests([entry({ method: "POST", path: "/activity/custom/", body: { custom_activity_type_id: "actitype_1" }, response: {} })])[0]?.problem).toMatch(/lead_id/);
    expect(checkRequests([entry({ method: "POST", path: "/custom_activity/", body: { name: "x" }, response: {} })])[0]?.problem).toMatch(/status 200 is not declared/);
    expect(checkRequests([entry({ response: { data: [{ id: "lead_1" }], has_more: false } })])[0]?.problem).toMatch(/response body/);
    expect(checkRequests([entry({ method: "POST", path: "/data/search/", body: { query: { type: "object_type", object_type: "lead" }, _page: 1 }, response: { data: [], cursor: null } })])[0]?.problem).toMatch(/request body/);
    expect(checkRequests([entry({ method: "POST", path: "/data/search/", body: { query: { type: "object_type", object_type: "lead" } }, response: { data: [], cursor: null } })])).toEqual([]);
  });
});
