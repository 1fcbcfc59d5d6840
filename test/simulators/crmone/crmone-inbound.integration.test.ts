import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/crmone/connector";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import type { Clock } from "@ct-crm-sync/core/ports/clock";
import { type CrmChange, type CrmInbound, type InboundRequest, crmSnapshotSchema } from "@ct-crm-sync/core/ports/crm-inbound";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { connectorSetup, crmOneReader, startCrmOneSimulator, type CrmOneReader, type CrmOneSimulator } from "./index";
import { person } from "../../conformance/fixtures";
import { checkExchanges } from "./spec/contract";

/**
 * The inbound side against the simulator: deliveries the simulator makes for
 * changes through its API reach a receiver that verifies and parses them as
 * the service would, records are read back as the port's snapshots, polling
 * lists each change once, contacts born in the CRM are adopted.
 */
let sim: CrmOneSimulator;
let crm: CrmOneReader;
/** Someone working in the CRM through its API: not the connector's user. */
let sales: CrmOneReader;
let inbound: CrmInbound;
let outbound: CrmAdapter;
let now = new Date();
const clock: Clock = { now: () => now, sleep: async () => undefined };
const ctx = { correlationId: "crmone-inbound-test" };

beforeAll(async () => {
  sim = await startCrmOneSimulator();
  crm = crmOneReader(sim.url, sim);
  sales = crmOneReader(sim.url, sim.salesperson);
  const connection = connector.connect(
    { CRMONE_API_URL: sim.url, CRMONE_CLIENT_ID: sim.clientId, CRMONE_CLIENT_SECRET: sim.clientSecret, CRMONE_WEBHOOK_SECRET: "hook-secret", CRMONE_USER_ID: sim.userId, CRMONE_REQUESTS_PER_SECOND: "200" },
    { logger: new MemoryLogger(), clock },
  );
  inbound = connection.inbound;
  outbound = connection.outbound;
});
afterAll(async () => {
  await sim.close();
});

/** A receiver that handles deliveries as the service's webhook route does: verify, then parse; 401 when verification refuses. */
async function startReceiver() {
  const parsed: CrmChange[] = [];
  const refused: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://receiver.invalid");
      const request: InboundRequest = {
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v])),
        query: Object.fromEntries(url.searchParams),
        rawBody: Buffer.concat(chunks),
        receivedAt: new Date(),
      };
      const refusal = inbound.verify(request);
      if (refusal) {
        refused.push(refusal.reason);
        return void res.writeHead(refusal.status).end();
      }
      parsed.push(...inbound.parse(request).changes);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/crmone`, parsed, refused, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("CRM One inbound: webhooks", () => {
  it("a follow-up flag set through the API arrives as a verified change, and the record read back carries it", async () => {
    const receiver = await startReceiver();
    try {
      await crm.subscribe("Contact", `${receiver.url}?model=Contact&secret=hook-secret`);
      await crm.subscribe("Account", `${receiver.url}?model=Account`);
      const id = await sales.create("Contact", { first_name: "Flo", last_name: "Follow", ct_customer_id: "cust-flo", categories: "vip" });
      // A later second: 1CRM's times are to the second.
      sim.store.now = () => new Date(Date.now() + 1000);
      await sales.update("Contact", id, { ct_follow_up: true });
      await sales.create("Account", { name: "Unsigned" });
      // The connector's own write comes back too, and is dropped as ours.
      await outbound.upsertPeople([person("cust-own")], ctx);
      await sim.webhooks.settled();
      sim.store.now = () => new Date();
      expect(receiver.parsed.map((c) => [c.entity, c.crmId, c.action])).toEqual([
        ["person", id, "created"],
        ["person", id, "updated"],
      ]);
      expect(sim.webhooks.deliveries.filter((d) => d.model === "Contact").map((d) => d.status)).toEqual([204, 204, 204]);
      expect(receiver.refused).toEqual(["the shared secret is missing or wrong"]);
      const snapshot = crmSnapshotSchema.parse(await inbound.readRecord("person", id, ctx));
      expect(snapshot).toMatchObject({ entity: "person", crmId: id, sourceId: "cust-flo", followUp: true, segments: ["vip"], fields: { firstName: "Flo", lastName: "Follow" } });
      expect(snapshot.modifiedAt).toBe(receiver.parsed[1]!.modifiedAt);
    } finally {
      for (const id of [...sim.store.webhooks.keys()]) sim.store.webhooks.delete(id);
      await receiver.close();
    }
  });
});

describe("CRM One inbound: records", () => {
  it("reads accounts and opportunities back, and nothing for a record that is gone", async () => {
    const account = await crm.create("Account", { name: "ACME", billing_address_city: "Boston", ct_business_unit_id: "bu-acme" });
    const deal = await crm.create("Opportunity", { name: "Espresso fleet", account_id: account, amount: 2500, date_closed: "2026-12-31", sales_stage: "Closed Won" });
    expect(crmSnapshotSchema.parse(await inbound.readRecord("company", account, ctx))).toMatchObject({ sourceId: "bu-acme", fields: { name: "ACME", "address.city": "Boston" } });
    expect(crmSnapshotSchema.parse(await inbound.readRecord("deal", deal, ctx))).toMatchObject({ deal: { status: "won", amount: 2500, currency: "USD", companyCrmId: account } });
    expect(await inbound.readRecord("person", "00000000-0000-0000-0000-000000000000", ctx)).toBeUndefined();
  });

  it("adopts a contact born in the CRM: our customer ID goes into ct_customer_id", async () => {
    const id = await crm.create("Contact", { last_name: "Born in CRM" });
    await inbound.adopt!("person", id, "cust-adopted", ctx);
    expect((await crm.get("Contact", id, ["ct_customer_id"])).ct_customer_id).toBe("cust-adopted");
  });
});

describe("CRM One inbound: polling on date_modified", () => {
  /** Every change listed from `checkpoint` on, page by page, until a page brings none. */
  async function drain(from: CrmInbound, checkpoint: string | undefined) {
    const changes: CrmChange[] = [];
    for (let calls = 0; calls < 50; calls++) {
      const page = await from.changesSince!("person", checkpoint, ctx);
      changes.push(...page.changes);
      if (page.changes.length === 0) return { changes, checkpoint: page.checkpoint };
      checkpoint = page.checkpoint;
    }
    throw new Error("polling did not settle");
  }

  it("lists each change once, in modification order, however the list moves under it", async () => {
    const poll = await startCrmOneSimulator();
    const pollInbound = connector.connect(
      { CRMONE_API_URL: poll.url, CRMONE_CLIENT_ID: poll.clientId, CRMONE_CLIENT_SECRET: poll.clientSecret, CRMONE_USER_ID: poll.userId, CRMONE_REQUESTS_PER_SECOND: "500" },
      { logger: new MemoryLogger(), clock },
    ).inbound;
    const list = (checkpoint: string | undefined) => drain(pollInbound, checkpoint);
    try {
      let minute = 0;
      const at = () => new Date(Date.UTC(2026, 10, 20, 10, minute));
      poll.store.now = at;
      // 450 contacts written in one second: ties on date_modified, ordered by ID.
      const ids = Array.from({ length: 450 }, (_, i) => poll.store.create("Contact", { last_name: `Poll ${i}` }).id);
      now = new Date(Date.UTC(2026, 10, 20, 11));
      const first = await list(undefined);
      expect(first.changes).toHaveLength(450);
      expect(new Set(first.changes.map((c) => c.crmId))).toEqual(new Set(ids));
      expect(first.changes[0]).toMatchObject({ entity: "person", action: "updated", modifiedAt: "2026-11-20T10:00:00Z", deliveryId: `Contact:${first.changes[0]!.crmId}:2026-11-20T10:00:00Z` });

      // Old contacts change (they move to the end of the list), one is deleted, new ones arrive.
      minute = 5;
      poll.store.update("Contact", ids[3]!, { first_name: "Moved" });
      poll.store.update("Contact", ids[400]!, { first_name: "Moved too" });
      poll.store.delete("Contact", ids[10]!);
      const fresh = poll.store.create("Contact", { last_name: "New" }).id;
      const second = await list(first.checkpoint);
      expect(second.changes.map((c) => c.crmId).sort()).toEqual([ids[3], ids[400], fresh].sort());
      expect((await list(second.checkpoint)).changes).toEqual([]);

      // A change within the last seconds waits: a later write in the same second may still sort before it.
      minute = 59;
      now = new Date(Date.UTC(2026, 10, 20, 10, 59, 2));
      poll.store.update("Contact", ids[5]!, { first_name: "Just now" });
      const waiting = await list(second.checkpoint);
      expect(waiting.changes).toEqual([]);
      now = new Date(Date.UTC(2026, 10, 20, 11, 0, 0));
      expect((await list(waiting.checkpoint)).changes.map((c) => c.crmId)).toEqual([ids[5]]);

      // Polling's first run starts at an instant, not at the first record.
      const sinceFour = await list(pollInbound.checkpointAt!("2026-11-20T10:04:00.000Z"));
      expect(sinceFour.changes.map((c) => c.crmId).sort()).toEqual([ids[3], ids[400], fresh, ids[5]].sort());

      // Our own writes are passed over, more than a page of them within one call.
      minute = 70;
      for (let i = 0; i < 250; i++) poll.store.create("Contact", { last_name: `Ours ${i}` }, { actor: poll.userId });
      minute = 71;
      const theirs = poll.store.create("Contact", { last_name: "Theirs" }).id;
      now = new Date(Date.UTC(2026, 10, 20, 12));
      const passed = await pollInbound.changesSince!("person", sinceFour.checkpoint, ctx);
      expect(passed.changes.map((c) => c.crmId)).toEqual([theirs]);
      expect(checkExchanges(poll.exchanges, {})).toEqual([]);
    } finally {
      now = new Date();
      await poll.close();
    }
  });

  it("lists a contact someone created through the API once it has settled", async () => {
    now = new Date(Date.now() + 60_000);
    try {
      const start = inbound.checkpointAt!(new Date(Date.now() - 1000).toISOString());
      const id = await sales.create("Contact", { last_name: "Polled" });
      expect((await drain(inbound, start)).changes.map((c) => c.crmId)).toContain(id);
    } finally {
      now = new Date();
    }
  });
});

describe("CRM One inbound: the 1CRM OpenAPI files", () => {
  it("every request it sent, and every answer, agrees with them", () => {
    const customFields = Object.fromEntries(Object.entries(connectorSetup.customFields).map(([model, fields]) => [model, Object.keys(fields)]));
    expect(checkExchanges(sim.exchanges, customFields)).toEqual([]);
  });
});
