import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import type { Failure } from "@ct-crm-sync/core/domain/failure";
import { inlineRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createRuntime } from "@ct-crm-sync/core/runtime";
import { createEventApp } from "../src/app";
import { startSandbox, type Sandbox } from "../../test/sandbox/sandbox";
import { pushEnvelope } from "../../test/sandbox/pubsub-relay";
import { createCustomer, seedProjectSetup } from "../../test/sandbox/seed";
import { soql } from "../../test/support/salesforce-reader";
import { armFault, clearFaults, startPushSink, type CapturedNotification, type PushSink } from "../../test/support/push-sink";

type Contact = { Id: string; FirstName: string | null; LastName: string; CT_Customer_Id__c: string };

const writes = (sandbox: Sandbox) => sandbox.salesforce.requests.filter((r) => r.method !== "GET").length;

async function post(url: string, body: string | Buffer, contentType = "application/json") {
  const response = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body });
  const text = await response.text();
  return { status: response.status, text };
}

const deliver = (url: string, notification: unknown) => post(url, JSON.stringify(pushEnvelope(notification)));

/** What a response body or a log line must never carry. */
function expectNothingLeaked(text: string) {
  expect(text).not.toMatch(/\n\s+at \S/); // stack frames
  expect(text).not.toMatch(/node_modules|\.ts:\d+/);
  expect(text).not.toContain("sandbox-secret");
  expect(text).not.toMatch(/Bearer [A-Za-z0-9._-]{10,}/);
}

describe("event app: Pub/Sub push handling against the sandbox", () => {
  let sandbox: Sandbox;
  let sink: PushSink;
  let eventUrl: string;
  let seq = 0;

  /** A new customer, created in the emulator; its notifications land in the sink. */
  async function newCustomer(label: string) {
    seq++;
    const email = `${label}.${seq}@example.com`;
    const id = await createCustomer(sandbox.api, { email, firstName: "Ann", lastName: `${label}${seq}`, store: "berlin", country: "DE" });
    await sandbox.relay.drained();
    const created = sink.about(id).find((n) => n.type === "CustomerCreated")!;
    expect(created).toBeDefined();
    return { id, email, created };
  }

  async function rename(id: string, firstName: string): Promise<CapturedNotification> {
    const { body } = await sandbox.api.customers().withId({ ID: id }).get().execute();
    await sandbox.api
      .customers()
      .withId({ ID: id })
      .post({ body: { version: body.version, actions: [{ action: "setFirstName", firstName }] } })
      .execute();
    await sandbox.relay.drained();
    return sink.about(id).at(-1)!;
  }

  const contacts = (id: string) =>
    soql<Contact>(sandbox.urls.salesforce, `SELECT Id, FirstName, LastName, CT_Customer_Id__c FROM Contact WHERE CT_Customer_Id__c = '${id}'`);
  const failureOf = (entity: string, id: string): Promise<Failure | undefined> =>
    sandbox.runtimes.event.failures.get(failureKey("sandbox", "ct-to-crm", entity, id));

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", captureLogs: true });
    await seedProjectSetup(sandbox.api);
    sink = await startPushSink();
    sandbox.setPushUrl(sink.url);
    eventUrl = sandbox.urls.event;
  });
  afterEach(async () => {
    await clearFaults(sandbox.urls.salesforce);
  });
  afterAll(async () => {
    await sink?.close();
    await sandbox?.stop();
  });

  describe("bad input", () => {
    it("answers 400 to a body that is not JSON, not an envelope, or has empty data", async () => {
      for (const body of ["{not json", "[]", "{}", JSON.stringify({ message: { data: "" } }), JSON.stringify({ message: "x" })]) {
        const response = await post(eventUrl, body);
        expect(response.status, body).toBe(400);
        expect(JSON.parse(response.text)).toEqual({ error: expect.any(String) });
        expectNothingLeaked(response.text);
      }
      const plain = await post(eventUrl, "hello", "text/plain");
      expect(plain.status).toBe(400);
    });

    it("answers 413 to a body over the limit and keeps serving", async () => {
      const huge = JSON.stringify({ message: { data: "A".repeat(15 * 1024 * 1024) } });
      const response = await post(eventUrl, huge);
      expect(response.status).toBe(413);
      expectNothingLeaked(response.text);
      expect((await fetch(`${eventUrl}/health`)).status).toBe(200);
    });

    it("acknowledges (202) data that can never be read, and keeps it in the failure store for review", async () => {
      const cases = [
        { data: "!!not*base64!!", reason: /not base64/ },
        { data: Buffer.from("plain text, not JSON").toString("base64"), reason: /does not decode to JSON/ },
        { data: Buffer.from(JSON.stringify({ hello: "world" })).toString("base64"), reason: /not a commercetools notification/ },
        { data: Buffer.from(JSON.stringify({ notificationType: "Message", resource: { typeId: "customer" } })).toString("base64"), reason: /not a commercetools notification/ },
      ];
      for (const [i, c] of cases.entries()) {
        const messageId = `bad-${Date.now()}-${i}`;
        const response = await post(eventUrl, JSON.stringify({ message: { data: c.data, messageId }, subscription: "s" }));
        expect(response.status).toBe(202);
        expectNothingLeaked(response.text);
        // One entry per reason (and hour), not per message: see push-security.integration.test.ts.
        const entries = (await sandbox.runtimes.event.failures.list({ entity: "message" }, { limit: 500 })).items;
        const failure = entries.find((f) => c.reason.test(f.message) && (f.payload as { lastMessageId?: string } | undefined)?.lastMessageId === messageId);
        expect(failure).toMatchObject({ state: "open", errorClass: "validation", entity: "message" });
        expect(failure?.nextAttemptAt).toBeUndefined();
      }
    });

    it("acknowledges (204) notifications it has no use for: other resource types, the Subscription's own ResourceCreated", async () => {
      const before = writes(sandbox);
      const subscriptionCreated = {
        notificationType: "ResourceCreated",
        projectKey: sandbox.emulator.projectKey,
        resource: { typeId: "subscription", id: "5b1b9c52-0000-4000-8000-000000000001" },
        version: 1,
        modifiedAt: new Date().toISOString(),
      };
      expect((await deliver(eventUrl, subscriptionCreated)).status).toBe(204);
      const product = { notificationType: "Message", id: "m-p", resource: { typeId: "product", id: "p1" }, resourceVersion: 3, type: "ProductPublished" };
      expect((await deliver(eventUrl, product)).status).toBe(204);
      // A message type we do not list for a resource we sync: re-read, nothing there, acknowledged.
      const deleted = { notificationType: "Message", id: "m-d", resource: { typeId: "customer", id: "no-such-customer" }, resourceVersion: 9, type: "CustomerDeleted" };
      expect((await deliver(eventUrl, deleted)).status).toBe(204);
      expect(writes(sandbox)).toBe(before);
    });
  });

  describe("stale and duplicate deliveries", () => {
    it("change nothing: a redelivered create after an update, the same update twice at once", async () => {
      const { id, created } = await newCustomer("dup");
      expect((await deliver(eventUrl, created)).status).toBe(204);
      const renamed = await rename(id, "Beth");
      expect((await deliver(eventUrl, renamed)).status).toBe(204);
      expect((await contacts(id)).map((c) => c.FirstName)).toEqual(["Beth"]);

      const before = writes(sandbox);
      // The create carries version 1: older than what the CRM has.
      expect((await deliver(eventUrl, created)).status).toBe(204);
      const concurrent = await Promise.all([1, 2, 3].map(() => deliver(eventUrl, renamed)));
      expect(concurrent.map((r) => r.status)).toEqual([204, 204, 204]);
      expect(writes(sandbox)).toBe(before);
      expect((await contacts(id)).map((c) => c.FirstName)).toEqual(["Beth"]);
      expect(await failureOf("person", id)).toBeUndefined();
    });

    it("never lets a slow write of an older version land after a newer one (concurrent deliveries)", async () => {
      const { id, created } = await newCustomer("race");
      const renamed = await rename(id, "Dora");
      // The create (version 1, carried in the message) reaches Salesforce first but is answered slowly ...
      await armFault(sandbox.urls.salesforce, { delayMs: 1_500, times: 1, pathIncludes: "/composite/sobjects/Contact" });
      const slow = deliver(eventUrl, created);
      await new Promise((resolve) => setTimeout(resolve, 400));
      // ... while the rename (version 2) is delivered at the same time.
      const fast = deliver(eventUrl, renamed);
      expect((await Promise.all([slow, fast])).map((r) => r.status)).toEqual([204, 204]);
      expect((await contacts(id)).map((c) => c.FirstName)).toEqual(["Dora"]);
      // And a later delivery of the rename must not be skipped as "unchanged" against a CRM that holds version 1.
      expect((await deliver(eventUrl, renamed)).status).toBe(204);
      expect((await contacts(id)).map((c) => c.FirstName)).toEqual(["Dora"]);
    });
  });

  describe("CRM faults", () => {
    it("retries a passing 503 inline and writes the record once", async () => {
      const { id, created } = await newCustomer("blip");
      await armFault(sandbox.urls.salesforce, { status: 503, times: 1, pathIncludes: "/composite/sobjects/Contact" });
      expect((await deliver(eventUrl, created)).status).toBe(204);
      expect(await contacts(id)).toHaveLength(1);
      expect(await failureOf("person", id)).toBeUndefined();
    });

    it("waits out a passing REQUEST_LIMIT_EXCEEDED inline (Salesforce sends no Retry-After) and writes the record once", async () => {
      const { id, created } = await newCustomer("throttle");
      await armFault(sandbox.urls.salesforce, { status: 429, times: 1, pathIncludes: "/composite/sobjects/Contact" });
      expect((await deliver(eventUrl, created)).status).toBe(204);
      expect(await contacts(id)).toHaveLength(1);
      expect(await failureOf("person", id)).toBeUndefined();
    });

    const lasting = [
      { kind: "503", fault: { status: 503 }, errorClass: "crm_unavailable" },
      { kind: "throttled", fault: { status: 429 }, errorClass: "throttled" },
      { kind: "connection reset", fault: { reset: true }, errorClass: "crm_unavailable" },
      { kind: "malformed body", fault: { malformed: true }, errorClass: "unknown" },
      { kind: "response slower than the deadline", fault: { delayMs: 60_000 }, errorClass: "crm_unavailable" },
    ] as const;
    for (const c of lasting) {
      it(`stores the record for a later retry and acknowledges when the CRM keeps failing (${c.kind})`, async () => {
        const { id, created, email } = await newCustomer(`fail${c.kind.replace(/\W/g, "")}`);
        await armFault(sandbox.urls.salesforce, { ...c.fault, times: 1000, pathIncludes: "/composite/sobjects/Contact" });
        const started = Date.now();
        const response = await deliver(eventUrl, created);
        expect(response.status).toBe(204);
        const failure = await failureOf("person", id);
        expect(failure).toMatchObject({ state: "retrying", errorClass: c.errorClass, attempts: 1, direction: "ct-to-crm", crm: "salesforce", sourceVersion: 1 });
        expect(failure?.history[0]?.correlationId).toBe(failure?.correlationId);
        expect(Date.parse(failure!.nextAttemptAt!)).toBeGreaterThan(started);
        // Never sooner than the job's first backoff step (1 min).
        expect(Date.parse(failure!.nextAttemptAt!)).toBeGreaterThanOrEqual(started + 60_000);
        // The payload lets a reviewer recognise the record, not read the person's data.
        expect(JSON.stringify(failure?.payload)).not.toContain(email);
        expect(JSON.stringify(failure?.payload)).toContain(id);

        // The same record failing again updates its one entry.
        expect((await deliver(eventUrl, created)).status).toBe(204);
        expect((await failureOf("person", id))?.attempts).toBe(2);

        // Once the CRM is back, the next delivery writes it once and resolves the entry.
        await clearFaults(sandbox.urls.salesforce);
        expect((await deliver(eventUrl, created)).status).toBe(204);
        expect(await contacts(id)).toHaveLength(1);
        expect(await failureOf("person", id)).toMatchObject({ state: "resolved", attempts: 2 });
      });
    }

    it("settles the failure of a newer version only with that version: a late, older delivery writes what commercetools holds now", async () => {
      const { id, created } = await newCustomer("order");
      const renamed = await rename(id, "Cleo");
      await armFault(sandbox.urls.salesforce, { status: 503, times: 1000, pathIncludes: "/composite/sobjects/Contact" });
      expect((await deliver(eventUrl, renamed)).status).toBe(204);
      expect((await failureOf("person", id))?.sourceVersion).toBe(2);
      await clearFaults(sandbox.urls.salesforce);
      // The redelivered create is about version 1, but the resource is re-read: version 2 is written ...
      expect((await deliver(eventUrl, created)).status).toBe(204);
      expect((await contacts(id)).map((c) => c.FirstName)).toEqual(["Cleo"]);
      // ... so the entry of version 2 is settled, and the rename's own redelivery changes nothing.
      expect((await failureOf("person", id))?.state).toBe("resolved");
      const before = writes(sandbox);
      expect((await deliver(eventUrl, renamed)).status).toBe(204);
      expect(writes(sandbox)).toBe(before);
    });
  });

  describe("failure store unreachable", () => {
    let proxy: Server;
    let brokenEvent: Server;
    let brokenUrl: string;
    beforeAll(async () => {
      // commercetools as the event app sees it: everything passes, except writes to the failure store.
      proxy = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
          const body = Buffer.concat(chunks);
          if (req.method === "POST" && req.url?.includes("/custom-objects") && body.toString().includes('"crm-sync-failures"')) {
            res.writeHead(503, { "content-type": "application/json" }).end('{"statusCode":503,"message":"unavailable"}');
            return;
          }
          const headers: Record<string, string> = {};
          for (const name of ["content-type", "authorization"]) if (req.headers[name]) headers[name] = String(req.headers[name]);
          const upstream = await fetch(`${sandbox.urls.emulator}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
          res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
          res.end(Buffer.from(await upstream.arrayBuffer()));
        });
      });
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const runtime = createRuntime({
        app: "event-broken-store",
        retry: inlineRetryPolicy,
        env: { ...sandbox.env, CTP_API_URL: proxyUrl, CTP_AUTH_URL: proxyUrl },
        logger: sandbox.logs!.child({ app: "event-broken-store" }),
      });
      brokenEvent = createEventApp(runtime).listen(0, "127.0.0.1");
      await new Promise((resolve) => brokenEvent.once("listening", resolve));
      brokenUrl = `http://127.0.0.1:${(brokenEvent.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      brokenEvent?.closeAllConnections();
      proxy?.closeAllConnections();
      await new Promise((resolve) => brokenEvent?.close(resolve));
      await new Promise((resolve) => proxy?.close(resolve));
    });

    it("answers 500 (so Pub/Sub redelivers) when a failed record cannot be stored, without details", async () => {
      const { created } = await newCustomer("nostore");
      await armFault(sandbox.urls.salesforce, { status: 503, times: 1000, pathIncludes: "/composite/sobjects/Contact" });
      const response = await deliver(brokenUrl, created);
      expect(response.status).toBe(500);
      expect(JSON.parse(response.text)).toEqual({ error: "internal error" });
    });

    it("answers 500 for an unreadable message it cannot keep for review", async () => {
      const response = await post(brokenUrl, JSON.stringify({ message: { data: "!!!", messageId: "lost-1" } }));
      expect(response.status).toBe(500);
      expectNothingLeaked(response.text);
    });
  });

  it("logged nothing that leaks: no stack traces, secrets or the people's email addresses", () => {
    const logs = sandbox.logs!.entries;
    expect(logs.length).toBeGreaterThan(0);
    const text = logs.map((e) => `${e.message} ${JSON.stringify(e.meta)}`).join("\n");
    expectNothingLeaked(text.replace(/\\n/g, "\n"));
    expect(text).not.toMatch(/[a-z]+\.\d+@example\.com/);
    expect(logs.some((e) => e.message === "record failed, kept in the failure store")).toBe(true);
  });
});
