import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { connector } from "@ct-crm-sync/core/crm/close/connector";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CrmConnection } from "@ct-crm-sync/core/ports/crm-connector";
import { crmSnapshotSchema, type InboundRequest, MalformedDelivery } from "@ct-crm-sync/core/ports/crm-inbound";
import { deal, orderEvent, person } from "../../conformance/fixtures";
import { startCloseSimulator, type CloseSimulator } from "./index";

/**
 * Close → us through the connector's inbound side: deliveries signed by the
 * simulator as Close signs them, caught by a local receiver as they were
 * sent, then verified and parsed; records written by the adapter read back.
 */
let sim: CloseSimulator;
let receiver: Server;
let received: InboundRequest[] = [];
let signatureKey: string;
/** Close's `+00:00` times as the port carries them: in UTC with "Z", their microseconds kept. */
const utc = (closeTime: string) => closeTime.replace(/\+00:00$/, "Z");

const ctx = { correlationId: "close-inbound-test" };

const connect = (key?: string): CrmConnection =>
  connector.connect({ CLOSE_API_URL: sim.url, CLOSE_API_KEY: sim.apiKey, ...(key ? { CLOSE_WEBHOOK_SIGNATURE_KEY: key } : {}) }, { logger: new MemoryLogger(), clock: systemClock });

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${sim.apiKey}:`).toString("base64")}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Has the simulator deliver one event and answers the request as our endpoint received it. */
async function delivered(event: { object_type: string; action: string; object_id: string }, options: { timestamp?: number; tamper?: boolean } = {}): Promise<InboundRequest> {
  received = [];
  await sim.deliverEvent(event, options);
  expect(received).toHaveLength(1);
  return received[0]!;
}

beforeAll(async () => {
  sim = await startCloseSimulator();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]));
      received.push({ headers, query: {}, rawBody: Buffer.concat(chunks), receivedAt: new Date() });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/close`;
  const events = ["contact", "lead", "opportunity", "task"].flatMap((object_type) => ["created", "updated", "deleted", "completed"].map((action) => ({ object_type, action })));
  const subscription = await api("POST", "/webhook/", { url, events, verify_ssl: false });
  signatureKey = z.string().parse(subscription.signature_key);
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await sim.close();
});

describe("Close inbound: webhook verification", () => {
  it("accepts a delivery signed with the subscription's key", async () => {
    const request = await delivered({ object_type: "contact", action: "updated", object_id: "cont_1" });
    expect(connect(signatureKey).inbound.verify(request)).toBeUndefined();
  });

  it("refuses with 401 a wrong hash, a wrong key, a missing header, and any delivery when no key is configured", async () => {
    const tampered = await delivered({ object_type: "contact", action: "updated", object_id: "cont_1" }, { tamper: true });
    expect(connect(signatureKey).inbound.verify(tampered)).toMatchObject({ status: 401 });

    const genuine = await delivered({ object_type: "contact", action: "updated", object_id: "cont_1" });
    expect(connect("ab".repeat(32)).inbound.verify(genuine)).toMatchObject({ status: 401 });
    expect(connect().inbound.verify(genuine)).toMatchObject({ status: 401, reason: expect.stringContaining("no Close webhook signature key") });
    for (const header of ["close-sig-hash", "close-sig-timestamp"]) {
      const { [header]: _dropped, ...rest } = genuine.headers;
      expect(connect(signatureKey).inbound.verify({ ...genuine, headers: rest }), header).toMatchObject({ status: 401 });
    }
    expect(connect(signatureKey).inbound.verify({ ...genuine, headers: { ...genuine.headers, "close-sig-hash": "zz" } })).toMatchObject({ status: 401 });
    // The body is part of what is signed.
    expect(connect(signatureKey).inbound.verify({ ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace("cont_1", "cont_2")) })).toMatchObject({ status: 401 });
  });

  it("refuses a delivery signed more than five minutes before or after it arrived", async () => {
    const now = Math.floor(Date.now() / 1000);
    const inbound = connect(signatureKey).inbound;
    const stale = await delivered({ object_type: "contact", action: "updated", object_id: "cont_1" }, { timestamp: now - 6 * 60 });
    expect(inbound.verify(stale)).toMatchObject({ status: 401, reason: expect.stringContaining("timestamp") });
    const early = await delivered({ object_type: "contact", action: "updated", object_id: "cont_1" }, { timestamp: now + 6 * 60 });
    expect(inbound.verify(early)).toMatchObject({ status: 401 });
    const recent = await delivered({ object_type: "contact", action: "updated", object_id: "cont_1" }, { timestamp: now - 4 * 60 });
    expect(inbound.verify(recent)).toBeUndefined();
  });

  it("declares a body size limit for the service to check before verifying", () => {
    expect(connect(signatureKey).inbound.maxBodyBytes).toBe(1024 * 1024);
  });
});

describe("Close inbound: parsing deliveries", () => {
  it("maps a contact update to a person change, keyed by the event ID, with Close's modification time", async () => {
    const request = await delivered({ object_type: "contact", action: "updated", object_id: "cont_abc" });
    const event = JSON.parse(request.rawBody.toString()).event as { id: string; date_updated: string };
    expect(connect(signatureKey).inbound.parse(request)).toEqual({
      // Close's `…123456+00:00` in the port's UTC form, as readRecord answers it: the two compare.
      changes: [{ entity: "person", crmId: "cont_abc", action: "updated", deliveryId: event.id, modifiedAt: utc(event.date_updated) }],
    });
  });

  it("maps leads to companies and opportunities to deals, created and deleted too", async () => {
    const inbound = connect(signatureKey).inbound;
    const lead = inbound.parse(await delivered({ object_type: "lead", action: "deleted", object_id: "lead_1" }));
    expect(lead.changes).toMatchObject([{ entity: "company", crmId: "lead_1", action: "deleted" }]);
    const deal = inbound.parse(await delivered({ object_type: "opportunity", action: "created", object_id: "oppo_1" }));
    expect(deal.changes).toMatchObject([{ entity: "deal", crmId: "oppo_1", action: "created" }]);
  });

  it("acknowledges objects and actions that are none of ours with no changes", async () => {
    const inbound = connect(signatureKey).inbound;
    expect(inbound.parse(await delivered({ object_type: "task", action: "completed", object_id: "task_1" }))).toEqual({ changes: [] });
    expect(inbound.parse(await delivered({ object_type: "lead", action: "completed", object_id: "lead_1" }))).toEqual({ changes: [] });
  });

  it("throws MalformedDelivery for a body that is not JSON or not a Close delivery", () => {
    const inbound = connect(signatureKey).inbound;
    const request = (body: string): InboundRequest => ({ headers: {}, query: {}, rawBody: Buffer.from(body), receivedAt: new Date() });
    expect(() => inbound.parse(request("{not json"))).toThrow(MalformedDelivery);
    expect(() => inbound.parse(request(JSON.stringify({ event: { object_type: "contact" } })))).toThrow(MalformedDelivery);
    expect(() => inbound.parse(request("[]"))).toThrow(MalformedDelivery);
    const badTime = { event: { id: "ev_1", object_type: "contact", object_id: "cont_1", action: "updated", date_updated: "yesterday" } };
    expect(() => inbound.parse(request(JSON.stringify(badTime)))).toThrow(MalformedDelivery);
  });
});

describe("Close inbound: reading records back", () => {
  it("reads a contact the adapter wrote in canonical terms: follow-up flag and segments by field name, custom values by key", async () => {
    const { outbound, inbound } = connect(signatureKey);
    await outbound.ensureSchema(ctx);
    const followUp = z.string().parse((await api("POST", "/custom_field/contact/", { name: "ct_follow_up", type: "text" })).id);
    const segments = z.string().parse((await api("POST", "/custom_field/contact/", { name: "ct_segments", type: "text" })).id);
    const [written] = await outbound.upsertPeople([person("p-read", { phone: "+4915112345678", roles: ["buyer"] })], ctx);
    if (!written?.ok) throw new Error("person not written");
    await api("PUT", `/contact/${written.crmId}/`, { [`custom.${followUp}`]: "Yes", [`custom.${segments}`]: "VIP; Newsletter;VIP" });
    const contact = await api("GET", `/contact/${written.crmId}/`);

    const snapshot = await inbound.readRecord("person", written.crmId, ctx);
    expect(crmSnapshotSchema.parse(snapshot)).toEqual(snapshot);
    expect(snapshot).toEqual({
      entity: "person",
      crmId: written.crmId,
      sourceId: "p-read",
      modifiedAt: utc(z.string().parse(contact.date_updated)),
      fields: { firstName: "Jane", lastName: "Doe-p-read", email: "p-read@example.com", phone: "+4915112345678" },
      followUp: true,
      segments: ["VIP", "Newsletter"],
      companyCrmId: contact.lead_id,
      crmFields: expect.objectContaining({ [`custom.${followUp}`]: "Yes", [`custom.${segments}`]: "VIP; Newsletter;VIP" }),
    });
    await api("PUT", `/contact/${written.crmId}/`, { [`custom.${followUp}`]: "" });
    expect(await inbound.readRecord("person", written.crmId, ctx)).toMatchObject({ followUp: false });
  });

  it("reads a unit's lead as a company with its business-unit ID, and an opportunity as a deal in major units", async () => {
    const { outbound, inbound } = connect(signatureKey);
    const [unit] = await outbound.upsertCompanies([{ kind: "company", sourceId: "bu-read", sourceVersion: 1, key: "bu-read", name: "ACME Read", unitType: "Company" }], ctx);
    if (!unit?.ok) throw new Error("unit not written");
    const company = await inbound.readRecord("company", unit.crmId, ctx);
    expect(crmSnapshotSchema.parse(company)).toEqual(company);
    expect(company).toMatchObject({ entity: "company", crmId: unit.crmId, sourceId: "bu-read", fields: { name: "ACME Read" } });

    const opportunity = await api("POST", "/opportunity/", { lead_id: unit.crmId, value: 123456, value_currency: "EUR", value_period: "one_time", note: "renewal" });
    const deal = await inbound.readRecord("deal", z.string().parse(opportunity.id), ctx);
    expect(crmSnapshotSchema.parse(deal)).toEqual(deal);
    expect(deal).toMatchObject({ entity: "deal", deal: { amount: 1234.56, currency: "EUR", companyCrmId: unit.crmId, status: "open" } });
    expect(deal).not.toHaveProperty("deal.lines");
  });

  it("lists contacts, leads and opportunities changed since a checkpoint, oldest first, each change once", async () => {
    const { inbound } = connect(signatureKey);
    const start = inbound.checkpointAt!(new Date().toISOString());
    await new Promise((r) => setTimeout(r, 5));
    const lead = await api("POST", "/lead/", { name: "Polled", contacts: [{ name: "Paula Polled" }, { name: "Peter Polled" }] });
    const [paula, peter] = z.array(z.object({ id: z.string() })).parse(lead.contacts);
    const deal = await api("POST", "/opportunity/", { lead_id: lead.id, value: 100, value_currency: "EUR", value_period: "one_time", note: "polled" });

    const people = await inbound.changesSince!("person", start, ctx);
    expect(people.changes.map((c) => c.crmId)).toEqual([paula!.id, peter!.id]);
    expect(people.changes.every((c) => c.entity === "person" && c.modifiedAt?.endsWith("Z"))).toBe(true);
    expect((await inbound.changesSince!("company", start, ctx)).changes.map((c) => c.crmId)).toEqual([lead.id]);
    expect((await inbound.changesSince!("deal", start, ctx)).changes.map((c) => c.crmId)).toEqual([deal.id]);

    // Nothing new: the same checkpoint, no changes; a later edit is the only change listed.
    expect(await inbound.changesSince!("person", people.checkpoint, ctx)).toEqual({ changes: [], checkpoint: people.checkpoint });
    await api("PUT", `/contact/${paula!.id}/`, { title: "Buyer" });
    expect((await inbound.changesSince!("person", people.checkpoint, ctx)).changes.map((c) => c.crmId)).toEqual([paula!.id]);
  });

  it("answers undefined for a record Close no longer holds", async () => {
    const { inbound } = connect(signatureKey);
    expect(await inbound.readRecord("person", "cont_gone", ctx)).toBeUndefined();
    expect(await inbound.readRecord("company", "lead_gone", ctx)).toBeUndefined();
  });
});

describe("Close inbound: no loops", () => {
  it("passes over our cart opportunities and timeline activities, by webhook and by polling, and still hears an opportunity Sales made", async () => {
    const { inbound, outbound } = connect(signatureKey);
    await outbound.upsertPeople([person("p-loop")], ctx);
    const start = inbound.checkpointAt!(new Date().toISOString());
    await sim.webhooks.drained();
    received = [];
    const [ours] = await outbound.upsertDeals!([deal("cart-loop", "p-loop")], ctx);
    await outbound.upsertDeals!([deal("cart-loop", "p-loop", { sourceVersion: 2, status: "abandoned", statusAt: "2026-11-21T10:00:00.000Z" })], ctx);
    await outbound.recordOrderEvents!([orderEvent("o-loop", "p-loop", "paid")], ctx);
    const ourOpportunity = await api("GET", `/opportunity/${ours && ours.ok ? ours.crmId : "missing"}/`);
    const sales = await api("POST", "/opportunity/", { lead_id: ourOpportunity.lead_id, value: 5000, value_currency: "EUR", value_period: "one_time", note: "Upsell" });
    await sim.webhooks.drained();

    // Close told us of our opportunity's creation and update, and of Sales' one: only Sales' is a change.
    const events = received.map((r) => JSON.parse(r.rawBody.toString()).event as { object_type: string; object_id: string });
    expect(events.filter((e) => e.object_type === "opportunity").map((e) => e.object_id)).toEqual([ourOpportunity.id, ourOpportunity.id, sales.id]);
    const changes = received.flatMap((r) => inbound.parse(r).changes);
    expect(changes.filter((c) => c.entity === "deal").map((c) => c.crmId)).toEqual([sales.id]);
    expect(changes.every((c) => c.entity !== "deal" || c.crmId !== ourOpportunity.id)).toBe(true);

    const polled = await inbound.changesSince!("deal", start, ctx);
    expect(polled.changes.map((c) => c.crmId)).toEqual([sales.id]);
    // Our opportunity written again: no change listed, and the checkpoint moves past it (no poll reads it twice).
    await outbound.upsertDeals!([deal("cart-loop", "p-loop", { sourceVersion: 3, status: "lost", statusAt: "2026-11-22T10:00:00.000Z" })], ctx);
    const after = await inbound.changesSince!("deal", polled.checkpoint, ctx);
    expect(after.changes).toEqual([]);
    expect(after.checkpoint).toMatch(new RegExp(` ${String(ourOpportunity.id)}$`));
  });
});
