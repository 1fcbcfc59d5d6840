import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDynamicsSimulator, type DynamicsSimulator } from "./index";
import { publishedLimits } from "./service-protection";
import { dataverseReader, type DataverseReader } from "./reader";

/** A webhook receiver that answers what `answer` says and keeps every delivery. */
async function receiver(answer: () => number) {
  const received: { headers: Record<string, string | string[] | undefined>; url: string; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, url: req.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> });
      res.statusCode = answer();
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Raw HTTP against the simulator: what dynamics-web-api's run does not show (conditions, batch rules, limits, webhooks). */
describe("Dataverse simulator contract", () => {
  let sim: DynamicsSimulator;
  let org: DataverseReader;
  const json = (method: string, path: string, body?: unknown) =>
    org.request(method, path, body).then(async (r) => ({ status: r.status, headers: r.headers, body: r.status === 204 ? undefined : ((await r.json().catch(() => undefined)) as Record<string, any> | undefined) }));
  const withHeaders = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const token = await tokenFor("sandbox-client", "sandbox-secret");
    const r = await fetch(`${sim.serviceRoot}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: r.status, headers: r.headers, text: await r.text() };
  };
  async function tokenFor(clientId: string, secret: string, scope = `${sim.url}/.default`) {
    const r = await fetch(`${sim.url}/${sim.tenant}/oauth2/v2.0/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope }) });
    return ((await r.json()) as { access_token?: string }).access_token;
  }

  beforeAll(async () => {
    sim = await startDynamicsSimulator({ webhooks: { retryDelaysMs: [20, 20], maxBytes: 8192 } });
    org = dataverseReader(sim.url, { tenant: sim.tenant, clientId: "sandbox-client", clientSecret: "sandbox-secret" });
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(() => {
    sim.faults.clear();
    sim.protection.configure(publishedLimits);
  });

  it("issues tokens as Microsoft identity does, and refuses a wrong secret, an unknown client, tenant or scope", async () => {
    const form = (overrides: Record<string, string>, tenant = sim.tenant) =>
      fetch(`${sim.url}/${tenant}/oauth2/v2.0/token`, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret", scope: `${sim.url}/.default`, ...overrides }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    expect(await form({})).toMatchObject({ status: 200, body: { token_type: "Bearer", expires_in: 3599, access_token: expect.any(String) } });
    expect(await form({ client_secret: "nope" })).toMatchObject({ status: 401, body: { error: "invalid_client", error_description: expect.stringMatching(/^AADSTS7000215/) } });
    expect(await form({ client_id: "who" })).toMatchObject({ status: 400, body: { error: "unauthorized_client" } });
    expect(await form({ scope: "https://other.crm.dynamics.com/.default" })).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
    expect(await form({}, "elsewhere")).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(await form({ grant_type: "password" })).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } });
  });

  it("answers a Web API call without a current token with 401 and WWW-Authenticate", async () => {
    const r = await fetch(`${sim.serviceRoot}/contacts`, { headers: { authorization: "Bearer expired" } });
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toContain(`authorization_uri=${sim.url}/${sim.tenant}/oauth2/authorize`);
  });

  it("upserts by alternate key with 204 and OData-EntityId; If-Match: * only updates, If-None-Match: * only creates", async () => {
    const created = await json("PATCH", "/contacts(ct_customerid='k-1')", { lastname: "One" });
    expect(created.status).toBe(204);
    expect(created.headers.get("odata-entityid")).toMatch(new RegExp(`^${sim.serviceRoot}/contacts\\([0-9a-f-]{36}\\)$`));
    expect(created.headers.get("odata-version")).toBe("4.0");
    const updateOnly = await withHeaders("PATCH", "/contacts(ct_customerid='k-missing')", { "if-match": "*" }, { lastname: "Nobody" });
    expect(updateOnly.status).toBe(404);
    expect(JSON.parse(updateOnly.text)).toMatchObject({ error: { code: "0x80040217" } });
    const createOnly = await withHeaders("PATCH", "/contacts(ct_customerid='k-1')", { "if-none-match": "*" }, { lastname: "Again" });
    expect(createOnly.status).toBe(412);
    expect(JSON.parse(createOnly.text)).toMatchObject({ error: { code: "0x80040237", message: "A record with matching key values already exists." } });
    const stale = await withHeaders("PATCH", "/contacts(ct_customerid='k-1')", { "if-match": 'W/"1"' }, { lastname: "Stale" });
    expect(stale.status).toBe(412);
    const represented = await withHeaders("PATCH", "/contacts(ct_customerid='k-1')?$select=lastname", { prefer: "return=representation" }, { lastname: "Uno" });
    expect(represented.status).toBe(200);
    expect(JSON.parse(represented.text)).toMatchObject({ lastname: "Uno", "@odata.etag": expect.stringMatching(/^W\/"\d+"$/) });
  });

  it("makes concurrent creates of one key race: one creates, the others are refused as duplicates or update it", async () => {
    const slow = await startDynamicsSimulator({ createLatencyMs: 30 });
    const org = dataverseReader(slow.url, { tenant: slow.tenant, clientId: "sandbox-client", clientSecret: "sandbox-secret" });
    const json = (method: string, path: string, body?: unknown) =>
      org.request(method, path, body).then(async (r) => ({ status: r.status, body: r.status === 204 ? undefined : ((await r.json()) as Record<string, unknown>) }));
    const answers = await Promise.all(Array.from({ length: 8 }, () => json("PATCH", "/contacts(ct_customerid='race-1')", { lastname: "Racer" })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 204).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 204 || s === 412)).toBe(true);
    expect(statuses).toContain(412);
    expect(answers.find((a) => a.status === 412)?.body).toMatchObject({ error: { code: "0x80040237" } });
    expect(await org.all("/contacts?$select=contactid&$filter=ct_customerid eq 'race-1'")).toHaveLength(1);
    await slow.close();
  });

  it("refuses unknown columns in queries, unsupported query options and a lookup bound to a key that matches nothing", async () => {
    expect((await json("GET", "/contacts?$select=nosuch")).body).toMatchObject({ error: { code: "0x80060888", message: expect.stringContaining("'nosuch'") } });
    expect((await json("GET", "/contacts?$expand=parentcustomerid_account")).status).toBe(400);
    const orphan = await json("PATCH", "/contacts(ct_customerid='k-2')", { lastname: "Two", "parentcustomerid_account@odata.bind": "/accounts(ct_businessunitid='nowhere')" });
    expect(orphan).toMatchObject({ status: 404, body: { error: { code: "0x80060891" } } });
    expect((await json("GET", "/nothing")).status).toBe(400);
  });

  it("filters with Microsoft.Dynamics.CRM.In on a column, every row holding one of the values", async () => {
    for (const id of ["in-1", "in-2", "in-3"]) await json("PATCH", `/contacts(ct_customerid='${id}')`, { lastname: id });
    const filter = "Microsoft.Dynamics.CRM.In(PropertyName='ct_customerid',PropertyValues=['in-1','IN-3','in-absent'])";
    const answer = await json("GET", `/contacts?$select=ct_customerid&$filter=${encodeURIComponent(filter)}&$orderby=ct_customerid`);
    expect(answer.body?.value.map((r: { ct_customerid: string }) => r.ct_customerid)).toEqual(["in-1", "in-3"]);
    const unknown = await json("GET", `/contacts?$filter=${encodeURIComponent("Microsoft.Dynamics.CRM.In(PropertyName='nope',PropertyValues=['x'])")}`);
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: "0x80060888" } } });
  });

  it("closes an opportunity only through WinOpportunity or LoseOpportunity, with its opportunityclose activity, once", async () => {
    const eur = (await json("GET", "/transactioncurrencies?$select=transactioncurrencyid&$filter=isocurrencycode eq 'EUR'")).body?.value[0].transactioncurrencyid;
    const created = await json("PATCH", "/opportunities(ct_dealkey='deal-sim-1')", { name: "Cart", estimatedvalue: 42.5, statuscode: 2, "transactioncurrencyid@odata.bind": `/transactioncurrencies(${eur})` });
    expect(created.status).toBe(204);
    const read = () => json("GET", "/opportunities(ct_dealkey='deal-sim-1')?$select=statecode,statuscode,actualvalue,actualclosedate").then((r) => r.body);
    expect(await read()).toMatchObject({ statecode: 0, statuscode: 2 });
    // A status reason of another state is refused: statecode moves only through the actions.
    expect(await json("PATCH", "/opportunities(ct_dealkey='deal-sim-1')", { statuscode: 3 })).toMatchObject({ status: 400, body: { error: { code: "0x80040203" } } });
    const win = { Status: 3, OpportunityClose: { subject: "Won", "opportunityid@odata.bind": "/opportunities(ct_dealkey='deal-sim-1')", actualend: "2026-11-21T10:00:00Z" } };
    expect((await json("POST", "/WinOpportunity", win)).status).toBe(204);
    const opportunity = await read();
    expect(opportunity).toMatchObject({ statecode: 1, statuscode: 3, actualvalue: 42.5, actualclosedate: "2026-11-21" });
    const closes = await json("GET", `/opportunitycloses?$select=subject&$filter=_opportunityid_value eq ${String(opportunity?.opportunityid)}`);
    expect(closes.body?.value).toMatchObject([{ subject: "Won" }]);
    expect(await json("POST", "/WinOpportunity", win)).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("already closed") } } });
    expect(await json("POST", "/LoseOpportunity", { ...win, Status: 4 })).toMatchObject({ status: 400 });
    expect(await json("PATCH", "/opportunities(ct_dealkey='deal-sim-1')", { statuscode: 1 })).toMatchObject({ status: 400, body: { error: { code: "0x80040203" } } });
    expect(await json("POST", "/LoseOpportunity", { Status: 3, OpportunityClose: { "opportunityid@odata.bind": "/opportunities(ct_dealkey='nope')" } })).toMatchObject({ status: 404 });
  });

  it("dates a note created with overriddencreatedon at that time", async () => {
    const note = await json("POST", "/annotations", { subject: "Back-dated", overriddencreatedon: "2026-01-02T03:04:05Z" });
    const id = note.headers.get("odata-entityid")?.match(/\(([0-9a-f-]{36})\)$/)?.[1];
    expect((await json("GET", `/annotations(${id})?$select=createdon`)).body).toMatchObject({ createdon: "2026-01-02T03:04:05Z" });
  });

  it("stops a $batch at the first failed part unless odata.continue-on-error is preferred, and caps it at 1,000 requests", async () => {
    const part = (n: number, body: unknown) =>
      [`--b`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", `PATCH contacts(ct_customerid='bp-${n}') HTTP/1.1`, "Content-Type: application/json", "", JSON.stringify(body)].join("\r\n");
    const token = await tokenFor("sandbox-client", "sandbox-secret");
    const send = (parts: string[], prefer?: string) =>
      fetch(`${sim.serviceRoot}/$batch`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "multipart/mixed; boundary=b", ...(prefer ? { prefer } : {}) },
        body: `${parts.join("\r\n")}\r\n--b--\r\n`,
      }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const parts = [part(1, { lastname: "ok" }), part(2, { lastname: "x".repeat(51) }), part(3, { lastname: "ok" })];
    const stopped = await send(parts);
    expect(stopped.status).toBe(200);
    expect(stopped.text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 204", "HTTP/1.1 400"]);
    const continued = await send(parts, "odata.continue-on-error");
    expect(continued.text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 204", "HTTP/1.1 400", "HTTP/1.1 204"]);
    const tooMany = await send(Array.from({ length: 1001 }, (_, i) => part(i, { lastname: "many" })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain("exceeds the limit of 1000");
  });

  it("enforces service protection per user: requests per window, concurrent requests, each with its code and Retry-After", async () => {
    sim.protection.configure({ requests: { limit: 2, windowSeconds: 30 } });
    const [a, b, c] = [await json("GET", "/contacts?$top=1"), await json("GET", "/contacts?$top=1"), await json("GET", "/contacts?$top=1")];
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect(c.body).toMatchObject({ error: { code: "0x80072322", message: "Number of requests exceeded the limit of 2 over time window of 30 seconds." } });
    expect(Number(c.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another user has a budget of its own.
    const sales = dataverseReader(sim.url, { tenant: sim.tenant, clientId: "sandbox-sales", clientSecret: "sales-secret" });
    expect((await sales.request("GET", "/contacts?$top=1")).status).toBe(200);

    sim.protection.configure({ ...publishedLimits, concurrency: 1 });
    sim.faults.arm({ delayMs: 150, times: 1 });
    const [slow, second] = await Promise.all([json("GET", "/contacts?$top=1"), new Promise((r) => setTimeout(r, 30)).then(() => json("GET", "/contacts?$top=1"))]);
    expect(slow.status).toBe(200);
    expect(second).toMatchObject({ status: 429, body: { error: { code: "0x80072326" } } });
  });

  describe("webhook steps", () => {
    let hook: Awaited<ReturnType<typeof receiver>>;
    let status = 200;
    beforeAll(async () => {
      hook = await receiver(() => status);
      const register = (body: unknown) => fetch(`${sim.url}/__sim/steps`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      expect((await register({ url: hook.url, entity: "contact", messages: ["Create", "Update"], auth: { kind: "WebhookKey", key: "hook-key" } })).status).toBe(201);
      expect((await register({ url: hook.url, entity: "contact", messages: ["Bogus"] })).status).toBe(400);
    });
    afterAll(async () => {
      await hook?.close();
    });
    afterEach(() => {
      hook.received.length = 0;
      status = 200;
    });

    it("POSTs a RemoteExecutionContext for a change made through the API, with the key as ?code= and Dataverse's headers", async () => {
      await json("PATCH", "/contacts(ct_customerid='hook-1')", { lastname: "Hooked", ct_followup: true });
      await sim.webhooks.drained();
      expect(hook.received).toHaveLength(1);
      const [delivery] = hook.received;
      expect(delivery!.url).toBe("/hook?code=hook-key");
      expect(delivery!.headers).toMatchObject({ "x-ms-dynamics-entity-name": "contact", "x-ms-dynamics-request-name": "Create", "x-ms-dynamics-organization": new URL(sim.url).host });
      expect(delivery!.body).toMatchObject({
        MessageName: "Create",
        PrimaryEntityName: "contact",
        PrimaryEntityId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        Depth: 1,
        Stage: 40,
        InitiatingUserId: sim.clients["sandbox-client"]!.userId,
        OperationCreatedOn: expect.stringMatching(/^\/Date\(\d+\)\/$/),
      });
      const target = (delivery!.body.InputParameters as { value: { Attributes: { key: string; value: unknown }[] } }[])[0]!.value;
      expect(target.Attributes).toEqual(expect.arrayContaining([{ key: "ct_followup", value: true }, { key: "lastname", value: "Hooked" }]));
    });

    it("delivers nothing for a rolled-back change set, and retries a delivery the receiver refused", async () => {
      status = 500;
      await json("PATCH", "/contacts(ct_customerid='hook-2')", { lastname: "Retried" });
      await sim.webhooks.drained();
      expect(hook.received).toHaveLength(3);
      expect(sim.webhooks.deliveries.at(-1)).toMatchObject({ status: 500, attempts: 3 });
      status = 200;
      hook.received.length = 0;
      const token = await tokenFor("sandbox-client", "sandbox-secret");
      const body = [
        "--b",
        "Content-Type: multipart/mixed; boundary=cs",
        "",
        "--cs",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 1",
        "",
        "PATCH contacts(ct_customerid='hook-3') HTTP/1.1",
        "Content-Type: application/json",
        "",
        '{"lastname":"Rolled back"}',
        "--cs",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 2",
        "",
        "PATCH contacts(ct_customerid='hook-4') HTTP/1.1",
        "Content-Type: application/json",
        "",
        JSON.stringify({ lastname: "y".repeat(51) }),
        "--cs--",
        "--b--",
        "",
      ].join("\r\n");
      await fetch(`${sim.serviceRoot}/$batch`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "multipart/mixed; boundary=b" }, body });
      await sim.webhooks.drained();
      expect(hook.received).toHaveLength(0);
      expect(await org.all("/contacts?$select=contactid&$filter=ct_customerid eq 'hook-3'")).toHaveLength(0);
    });

    it("drops parameters and images from a context above the size limit and says so in x-ms-dynamics-msg-size-exceeded", async () => {
      await json("PATCH", "/contacts(ct_customerid='hook-5')", { lastname: "Big", ct_segments: "z".repeat(1000), address1_line1: "a".repeat(250), ct_storekeys: "s".repeat(1000) });
      await sim.webhooks.drained();
      const [delivery] = hook.received;
      expect(delivery!.headers["x-ms-dynamics-msg-size-exceeded"]).toBe("true");
      expect(delivery!.body).toMatchObject({ InputParameters: [], PostEntityImages: [], PrimaryEntityName: "contact" });
    });
  });
});
