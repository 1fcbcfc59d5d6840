import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Failure } from "@ct-crm-sync/core/domain/failure";
import { inlineRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createRuntime } from "@ct-crm-sync/core/runtime";
import { createEventApp } from "../src/app";
import { pushAuthEnv, pushAuthenticator } from "../src/push-auth";
import { startSandbox, type Sandbox } from "../../test/sandbox/sandbox";
import { pushEnvelope } from "../../test/sandbox/pubsub-relay";
import { createCustomer, seedProjectSetup } from "../../test/sandbox/seed";
import { soql } from "../../test/support/salesforce-reader";
import { startPushSink, type PushSink } from "../../test/support/push-sink";

type SigningKey = Parameters<SignJWT["sign"]>[0];
type Contact = { Id: string; FirstName: string | null; Email: string | null };

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server | undefined) {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}

/**
 * The event endpoint as an attacker meets it: forged, crafted and flooding
 * pushes change nothing in the CRM and get an answer Pub/Sub will not
 * redeliver for a week; with push authentication on, only pushes carrying
 * a token of the configured service account act at all.
 */
describe("event app under attack (against the sandbox)", () => {
  let sandbox: Sandbox;
  let sink: PushSink;
  let eventUrl: string;
  const contactWrites = () => sandbox.salesforce.requests.filter((r) => r.method !== "GET" && r.path.includes("Contact")).length;
  const contacts = (id: string) => soql<Contact>(sandbox.urls.salesforce, `SELECT Id, FirstName, Email FROM Contact WHERE CT_Customer_Id__c = '${id}'`);
  const unreadableEntries = async () =>
    (await sandbox.runtimes.event.failures.list({ entity: "message" }, { limit: 500 })).items as Failure[];

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", captureLogs: true });
    await seedProjectSetup(sandbox.api);
    sink = await startPushSink();
    sandbox.setPushUrl(sink.url);
    eventUrl = sandbox.urls.event;
  });
  afterAll(async () => {
    await sink?.close();
    await sandbox?.stop();
  });

  it("never trusts what a push carries: a forged snapshot with a huge version changes nothing, and later real updates still land", async () => {
    const id = await createCustomer(sandbox.api, { email: "vera.victim@example.com", firstName: "Vera", lastName: "Victim", store: "berlin", country: "DE" });
    await sandbox.relay.drained();
    expect((await post(eventUrl, pushEnvelope(sink.about(id)[0]))).status).toBe(204);
    expect(await contacts(id)).toMatchObject([{ FirstName: "Vera", Email: "vera.victim@example.com" }]);

    const forged = {
      notificationType: "Message",
      id: "forged-1",
      version: 1,
      sequenceNumber: 99,
      resource: { typeId: "customer", id },
      resourceVersion: 1_000_000,
      type: "CustomerEmailChanged",
      email: "mallory@attacker.example",
      customer: { id, version: 1_000_000, email: "mallory@attacker.example", firstName: "Mallory", lastName: "Attacker", addresses: [], stores: [] },
    };
    const before = contactWrites();
    expect((await post(eventUrl, pushEnvelope(forged))).status).toBe(204);
    expect(contactWrites()).toBe(before);
    expect(await contacts(id)).toMatchObject([{ FirstName: "Vera", Email: "vera.victim@example.com" }]);

    // The genuine next update is not "stale" against a forged version.
    const { body } = await sandbox.api.customers().withId({ ID: id }).get().execute();
    await sandbox.api.customers().withId({ ID: id }).post({ body: { version: body.version, actions: [{ action: "setFirstName", firstName: "Veronika" }] } }).execute();
    await sandbox.relay.drained();
    expect((await post(eventUrl, pushEnvelope(sink.about(id).at(-1)))).status).toBe(204);
    expect(await contacts(id)).toMatchObject([{ FirstName: "Veronika", Email: "vera.victim@example.com" }]);
  });

  it("creates nothing for a forged ID that names no resource", async () => {
    const ghost = "0b7c1f3e-0000-4000-8000-00000000dead";
    const before = contactWrites();
    const forged = { notificationType: "Message", id: "forged-2", resource: { typeId: "customer", id: ghost }, resourceVersion: 1, type: "CustomerCreated", customer: { id: ghost, version: 1, email: "ghost@attacker.example" } };
    expect((await post(eventUrl, pushEnvelope(forged))).status).toBe(204);
    expect(contactWrites()).toBe(before);
    expect(await contacts(ghost)).toEqual([]);
  });

  it("acknowledges crafted IDs (a predicate injection, a lone surrogate) without reading anything with them", async () => {
    const before = contactWrites();
    const entriesBefore = (await unreadableEntries()).length;
    for (const id of ['x" or customerId is defined or id = "y', "\uD800", "../../orders"]) {
      const crafted = { notificationType: "Message", id: "forged-3", resource: { typeId: "order", id }, resourceVersion: 1, type: "OrderCreated" };
      const response = await post(eventUrl, pushEnvelope(crafted));
      expect(response.status, id).toBe(202);
      expect(response.text).not.toMatch(/\n\s+at |node_modules/);
    }
    expect(contactWrites()).toBe(before);
    // Kept for review once for the reason, not once per crafted value.
    expect((await unreadableEntries()).length - entriesBefore).toBeLessThanOrEqual(1);
  });

  it("keeps a flood of unreadable pushes as a few entries, each counting its attempts", async () => {
    const entriesBefore = await unreadableEntries();
    const junk = Buffer.from("not json at all").toString("base64");
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post(eventUrl, { message: { data: junk, messageId: `flood-${i}` }, subscription: `projects/x/subscriptions/s${i}` })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(202));
    const entries = await unreadableEntries();
    const added = entries.filter((e) => !entriesBefore.some((b) => b.id === e.id));
    expect(added.length).toBeLessThanOrEqual(1);
    const entry = entries.find((e) => e.message.includes("does not decode to JSON"))!;
    expect(entry.attempts).toBeGreaterThanOrEqual(40);
    expect(entry.sourceId).not.toContain("flood-");
  });

  describe("commercetools refusing a read for good", () => {
    let proxy: Server;
    let refusingEvent: Server;
    let refusingUrl: string;
    let refusedId: string;
    beforeAll(async () => {
      refusedId = await createCustomer(sandbox.api, { email: "rex.refused@example.com", firstName: "Rex", lastName: "Refused", store: "berlin", country: "DE" });
      // commercetools as the event app sees it, except that reading this one customer is forbidden.
      proxy = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
          // By ID or in a query naming it (pushes are read in batches).
          if (req.method === "GET" && req.url?.startsWith(`/${sandbox.emulator.projectKey}/customers`) && req.url.includes(refusedId)) {
            res.writeHead(403, { "content-type": "application/json" }).end('{"statusCode":403,"message":"Insufficient scope. SECRET-DETAIL","errors":[{"code":"insufficient_scope"}]}');
            return;
          }
          const body = Buffer.concat(chunks);
          const headers: Record<string, string> = {};
          for (const name of ["content-type", "authorization"]) if (req.headers[name]) headers[name] = String(req.headers[name]);
          const upstream = await fetch(`${sandbox.urls.emulator}${req.url}`, { method: req.method, headers, body: body.length ? body : undefined });
          res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
          res.end(Buffer.from(await upstream.arrayBuffer()));
        });
      });
      const proxyUrl = await listen(proxy);
      const runtime = createRuntime({ app: "event-refused", retry: inlineRetryPolicy, env: { ...sandbox.env, CTP_API_URL: proxyUrl, CTP_AUTH_URL: proxyUrl }, logger: sandbox.logs!.child({ app: "event-refused" }) });
      refusingEvent = http.createServer(createEventApp(runtime));
      refusingUrl = await listen(refusingEvent);
    });
    afterAll(async () => {
      await closeServer(refusingEvent);
      await closeServer(proxy);
    });

    it("keeps the record for review and acknowledges, without commercetools' words in the answer", async () => {
      const push = { notificationType: "Message", id: "m-403", resource: { typeId: "customer", id: refusedId }, resourceVersion: 1, type: "CustomerCreated" };
      const response = await post(refusingUrl, pushEnvelope(push));
      expect(response.status).toBe(202);
      expect(response.text).not.toContain("SECRET-DETAIL");
      const failure = (await sandbox.runtimes.event.failures.list({ entity: "person" }, { limit: 500 })).items.find((f) => f.sourceId === refusedId);
      expect(failure).toMatchObject({ state: "open", errorClass: "auth", status: 403 });
      expect(failure?.message).not.toContain("SECRET-DETAIL");
    });
  });

  describe("with Pub/Sub push authentication", () => {
    let jwks: Server;
    let issuer: string;
    let secured: Server;
    let securedUrl: string;
    let sign: (claims: Record<string, unknown>, options?: { key?: SigningKey; expiresIn?: string }) => Promise<string>;
    const audience = "https://event.example/ct-crm-sync";
    const serviceAccount = "pubsub-push@project.iam.gserviceaccount.com";
    let customerId: string;

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair("RS256");
      const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
      jwks = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })));
      issuer = await listen(jwks);
      sign = (claims, options = {}) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: "RS256", kid: "k1" })
          .setIssuer(issuer)
          .setIssuedAt()
          .setExpirationTime(options.expiresIn ?? "5m")
          .sign(options.key ?? privateKey);
      const authenticate = pushAuthenticator(
        pushAuthEnv.parse({ PUBSUB_PUSH_AUDIENCE: audience, PUBSUB_PUSH_SERVICE_ACCOUNT: serviceAccount, PUBSUB_PUSH_JWKS_URL: `${issuer}/certs`, PUBSUB_PUSH_ISSUER: issuer }),
      );
      secured = http.createServer(createEventApp(sandbox.runtimes.event, { authenticate }));
      securedUrl = await listen(secured);
      customerId = await createCustomer(sandbox.api, { email: "sam.signed@example.com", firstName: "Sam", lastName: "Signed", store: "berlin", country: "DE" });
      await sandbox.relay.drained();
    });
    afterAll(async () => {
      await closeServer(secured);
      await closeServer(jwks);
    });

    it("refuses pushes without a valid token of the configured service account (401) and writes nothing", async () => {
      const created = pushEnvelope(sink.about(customerId)[0]);
      const { privateKey: otherKey } = await generateKeyPair("RS256");
      const good = { aud: audience, email: serviceAccount, email_verified: true };
      const tokens: [string, string | undefined][] = [
        ["no token", undefined],
        ["wrong audience", await sign({ ...good, aud: "https://elsewhere.example" })],
        ["another service account", await sign({ ...good, email: "someone@else.iam.gserviceaccount.com" })],
        ["unverified email", await sign({ ...good, email_verified: false })],
        ["expired", await sign(good, { expiresIn: "-1m" })],
        ["signed by another key", await sign(good, { key: otherKey })],
        ["not a JWT", "abc.def.ghi"],
      ];
      const before = contactWrites();
      for (const [label, token] of tokens) {
        const response = await post(securedUrl, created, token ? { authorization: `Bearer ${token}` } : {});
        expect(response.status, label).toBe(401);
      }
      expect(contactWrites()).toBe(before);
      expect(await contacts(customerId)).toEqual([]);
    });

    it("acts on a push whose token verifies", async () => {
      const token = await sign({ aud: audience, email: serviceAccount, email_verified: true });
      const response = await post(securedUrl, pushEnvelope(sink.about(customerId)[0]), { authorization: `Bearer ${token}` });
      expect(response.status).toBe(204);
      expect(await contacts(customerId)).toMatchObject([{ FirstName: "Sam" }]);
      // Authenticated, so from Pub/Sub: a body that is not an envelope is kept for review and acknowledged, never redelivered.
      const odd = await post(securedUrl, { hello: "world" }, { authorization: `Bearer ${token}` });
      expect(odd.status).toBe(202);
    });
  });
});
