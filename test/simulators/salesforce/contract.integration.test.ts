import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSalesforceSimulator, type RunningSalesforceSimulator } from "./index";

/** Raw HTTP against the documented contract: status codes, error arrays, headers. */
describe("Salesforce simulator HTTP contract", () => {
  let sim: RunningSalesforceSimulator;
  let token: string;
  const api = () => `${sim.url}/services/data/v62.0`;

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(path.startsWith("http") ? path : api() + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  const arm = (spec: Record<string, unknown>) =>
    fetch(`${sim.url}/__sim/faults`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(spec) });
  const login = async (clientId = "sandbox-client", clientSecret = "sandbox-secret", grant = "client_credentials") =>
    fetch(`${sim.url}/services/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: grant, client_id: clientId, client_secret: clientSecret }),
    });

  beforeAll(async () => {
    sim = await startSalesforceSimulator({ queryPageSize: 2 });
    const answer = (await (await login()).json()) as { access_token: string };
    token = answer.access_token;
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    await fetch(`${sim.url}/__sim/faults`, { method: "DELETE" });
    sim.usage.throttled = false;
  });

  describe("auth", () => {
    it("answers the client-credentials token shape", async () => {
      const body = (await (await login()).json()) as Record<string, unknown>;
      expect(body).toMatchObject({ token_type: "Bearer", instance_url: sim.url, scope: "api" });
      expect(String(body.id)).toMatch(/\/id\/00D\w+\/005\w+$/);
      expect(String(body.issued_at)).toMatch(/^\d+$/);
    });

    it("refuses wrong credentials and unknown grants with 400 OAuth errors", async () => {
      const wrongSecret = await login("sandbox-client", "nope");
      expect(wrongSecret.status).toBe(400);
      expect(await wrongSecret.json()).toEqual({ error: "invalid_client", error_description: "invalid client credentials" });
      const wrongClient = await login("other", "sandbox-secret");
      expect(((await wrongClient.json()) as { error: string }).error).toBe("invalid_client_id");
      const password = await login("sandbox-client", "sandbox-secret", "password");
      expect(((await password.json()) as { error: string }).error).toBe("unsupported_grant_type");
    });

    it("answers 401 INVALID_SESSION_ID without a valid bearer token, and after tokens expire", async () => {
      const none = await fetch(`${api()}/limits`);
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual([{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }]);
      const own = (await (await login()).json()) as { access_token: string };
      const before = await fetch(`${api()}/limits`, { headers: { Authorization: `Bearer ${own.access_token}` } });
      expect(before.status).toBe(200);
      await fetch(`${sim.url}/__sim/salesforce/expire-tokens`, { method: "POST" });
      const after = await fetch(`${api()}/limits`, { headers: { Authorization: `Bearer ${own.access_token}` } });
      expect(after.status).toBe(401);
      token = ((await (await login()).json()) as { access_token: string }).access_token;
    });
  });

  describe("upsert by external ID", () => {
    it("creates with 201, updates with 200 created:false", async () => {
      const created = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/c-1", { LastName: "Doe" });
      expect(created.status).toBe(201);
      const first = (await created.json()) as { id: string };
      expect(first).toMatchObject({ success: true, errors: [], created: true });
      expect(first.id).toMatch(/^003\w{15}$/);
      const updated = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/c-1", { FirstName: "Jane" });
      expect(updated.status).toBe(200);
      expect(await updated.json()).toEqual({ id: first.id, success: true, errors: [], created: false });
      const read = (await (await call("GET", `/sobjects/Contact/${first.id}`)).json()) as Record<string, unknown>;
      expect(read).toMatchObject({ FirstName: "Jane", LastName: "Doe", Name: "Jane Doe", CT_Customer_Id__c: "c-1" });
    });

    it("answers 300 with the record URLs when several records match", async () => {
      sim.store.seed("Contact", { LastName: "A", CT_Customer_Id__c: "dup" });
      sim.store.seed("Contact", { LastName: "B", CT_Customer_Id__c: "dup" });
      const response = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/dup", { LastName: "C" });
      expect(response.status).toBe(300);
      const urls = (await response.json()) as string[];
      expect(urls).toHaveLength(2);
      expect(urls[0]).toMatch(/^\/services\/data\/v62\.0\/sobjects\/Contact\/003/);
    });

    it("answers 404 NOT_FOUND for an unknown external ID field or object", async () => {
      for (const path of ["/sobjects/Contact/Nope__c/x", "/sobjects/Nope__c/CT_Customer_Id__c/x", "/sobjects/Contact/LastName/x"]) {
        const response = await call("PATCH", path, { LastName: "X" });
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual([{ errorCode: "NOT_FOUND", message: "The requested resource does not exist" }]);
      }
    });

    it("refuses unknown fields, missing required fields and bad emails with Salesforce's error arrays", async () => {
      const unknown = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/v-1", { LastName: "X", Shoe_Size__c: 42 });
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual([{ message: "No such column 'Shoe_Size__c' on sobject of type Contact", errorCode: "INVALID_FIELD" }]);
      const missing = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/v-2", { FirstName: "X" });
      expect(await missing.json()).toEqual([{ message: "Required fields are missing: [LastName]", errorCode: "REQUIRED_FIELD_MISSING", fields: ["LastName"] }]);
      const email = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/v-3", { LastName: "X", Email: "x(at)y" });
      expect(await email.json()).toEqual([{ message: "Email: invalid email address: x(at)y", errorCode: "INVALID_EMAIL_ADDRESS", fields: ["Email"] }]);
      const malformed = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/v-4", "{not json");
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { errorCode: string }[])[0]?.errorCode).toBe("JSON_PARSER_ERROR");
    });

    it("links parents by external ID and refuses an unknown one", async () => {
      await call("PATCH", "/sobjects/Account/CT_Business_Unit_Id__c/bu-1", { Name: "ACME" });
      const linked = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/rel-1", { LastName: "X", Account: { CT_Business_Unit_Id__c: "bu-1" } });
      expect(linked.status).toBe(201);
      const missing = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/rel-2", { LastName: "X", Account: { CT_Business_Unit_Id__c: "bu-404" } });
      expect(missing.status).toBe(400);
      expect(((await missing.json()) as { message: string }[])[0]?.message).toBe(
        "Foreign key external ID: bu-404 not found for field CT_Business_Unit_Id__c in entity Account",
      );
    });

    it("honours updateOnly=true", async () => {
      const response = await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/never-created?updateOnly=true", { LastName: "X" });
      expect(response.status).toBe(404);
    });
  });

  describe("sObject Collections upsert", () => {
    it("answers per record, in request order, without failing the batch", async () => {
      const response = await call("PATCH", "/composite/sobjects/Contact/CT_Customer_Id__c", {
        allOrNone: false,
        records: [
          { attributes: { type: "Contact" }, CT_Customer_Id__c: "col-1", LastName: "One" },
          { attributes: { type: "Contact" }, CT_Customer_Id__c: "col-2" },
          { attributes: { type: "Contact" }, CT_Customer_Id__c: "col-3", LastName: "Three" },
        ],
      });
      expect(response.status).toBe(200);
      const results = (await response.json()) as { success: boolean; created?: boolean; errors: { statusCode: string }[] }[];
      expect(results.map((r) => r.success)).toEqual([true, false, true]);
      expect(results[1]?.errors[0]?.statusCode).toBe("REQUIRED_FIELD_MISSING");
    });

    it("rolls everything back with allOrNone", async () => {
      const results = (await (
        await call("PATCH", "/composite/sobjects/Contact/CT_Customer_Id__c", {
          allOrNone: true,
          records: [
            { attributes: { type: "Contact" }, CT_Customer_Id__c: "aon-1", LastName: "One" },
            { attributes: { type: "Contact" }, CT_Customer_Id__c: "aon-2" },
          ],
        })
      ).json()) as { success: boolean; errors: { statusCode: string }[] }[];
      expect(results[0]?.errors[0]?.statusCode).toBe("ALL_OR_NONE_OPERATION_ROLLED_BACK");
      expect(sim.store.rows("Contact").some((r) => r.CT_Customer_Id__c === "aon-1")).toBe(false);
    });

    it("refuses duplicate keys in one request, more than 200 records, and malformed bodies", async () => {
      const dup = (await (
        await call("PATCH", "/composite/sobjects/Contact/CT_Customer_Id__c", {
          records: [
            { attributes: { type: "Contact" }, CT_Customer_Id__c: "same", LastName: "A" },
            { attributes: { type: "Contact" }, CT_Customer_Id__c: "SAME", LastName: "B" },
          ],
        })
      ).json()) as { errors: { statusCode: string }[] }[];
      expect(dup.map((r) => r.errors[0]?.statusCode)).toEqual(["DUPLICATE_EXTERNAL_ID", "DUPLICATE_EXTERNAL_ID"]);
      const records = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: "Contact" }, CT_Customer_Id__c: `big-${i}`, LastName: "X" }));
      expect((await call("PATCH", "/composite/sobjects/Contact/CT_Customer_Id__c", { records })).status).toBe(400);
      expect((await call("PATCH", "/composite/sobjects/Contact/CT_Customer_Id__c", { recs: [] })).status).toBe(400);
    });
  });

  describe("SOQL", () => {
    it("filters, orders, limits, counts and pages with nextRecordsUrl", async () => {
      for (const [i, name] of ["Cee", "Ay", "Bee"].entries()) {
        await call("PATCH", `/sobjects/Contact/CT_Customer_Id__c/q-${i}`, { LastName: name, Email: `q${i}@example.com` });
      }
      const q = encodeURIComponent("SELECT Id, LastName FROM Contact WHERE CT_Customer_Id__c LIKE 'q-%' ORDER BY LastName DESC");
      const first = (await (await call("GET", `/query?q=${q}`)).json()) as { totalSize: number; done: boolean; nextRecordsUrl: string; records: { LastName: string }[] };
      expect(first).toMatchObject({ totalSize: 3, done: false });
      expect(first.records.map((r) => r.LastName)).toEqual(["Cee", "Bee"]);
      const second = (await (await call("GET", sim.url + first.nextRecordsUrl)).json()) as { done: boolean; records: { LastName: string }[] };
      expect(second.done).toBe(true);
      expect(second.records.map((r) => r.LastName)).toEqual(["Ay"]);
      const count = (await (await call("GET", `/query?q=${encodeURIComponent("SELECT COUNT() FROM Contact WHERE Email = 'Q1@EXAMPLE.COM'")}`)).json()) as { totalSize: number };
      expect(count.totalSize).toBe(1);
      const limited = (await (await call("GET", `/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE CT_Customer_Id__c IN ('q-0','q-2') LIMIT 1")}`)).json()) as { totalSize: number };
      expect(limited.totalSize).toBe(1);
    });

    it("sees deleted records only through queryAll", async () => {
      const { id } = (await (await call("PATCH", "/sobjects/Contact/CT_Customer_Id__c/gone", { LastName: "Gone" })).json()) as { id: string };
      expect((await call("DELETE", `/sobjects/Contact/${id}`)).status).toBe(204);
      const soql = encodeURIComponent("SELECT Id, IsDeleted FROM Contact WHERE CT_Customer_Id__c = 'gone'");
      expect(((await (await call("GET", `/query?q=${soql}`)).json()) as { totalSize: number }).totalSize).toBe(0);
      const all = (await (await call("GET", `/queryAll?q=${soql}`)).json()) as { records: { IsDeleted: boolean }[] };
      expect(all.records[0]?.IsDeleted).toBe(true);
    });

    it("answers MALFORMED_QUERY, INVALID_FIELD and INVALID_TYPE like an org", async () => {
      const codeOf = async (soql: string) => {
        const response = await call("GET", `/query?q=${encodeURIComponent(soql)}`);
        expect(response.status).toBe(400);
        return ((await response.json()) as { errorCode: string }[])[0]?.errorCode;
      };
      expect(await codeOf("SELECT Id FROM")).toBe("MALFORMED_QUERY");
      expect(await codeOf("SELECT Id FROM Contact WHERE LastName = 'a' AND Email = 'b' OR Phone = 'c'")).toBe("MALFORMED_QUERY");
      expect(await codeOf("SELECT Shoe__c FROM Contact")).toBe("INVALID_FIELD");
      expect(await codeOf("SELECT Id FROM Nope__c")).toBe("INVALID_TYPE");
    });
  });

  describe("limits and throttling", () => {
    it("announces API usage on every data response and in /limits", async () => {
      const response = await call("GET", "/limits");
      const header = response.headers.get("sforce-limit-info");
      expect(header).toMatch(/^api-usage=\d+\/100000$/);
      const used = Number(/=(\d+)\//.exec(header!)![1]);
      const body = (await response.json()) as { DailyApiRequests: { Max: number; Remaining: number } };
      expect(body.DailyApiRequests).toEqual({ Max: 100000, Remaining: 100000 - used });
    });

    it("answers 403 REQUEST_LIMIT_EXCEEDED when throttling is on, with no Retry-After", async () => {
      await fetch(`${sim.url}/__sim/salesforce/limits`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ throttled: true }) });
      const response = await call("GET", "/limits");
      expect(response.status).toBe(403);
      expect(response.headers.get("retry-after")).toBeNull();
      expect(response.headers.get("sforce-limit-info")).toMatch(/^api-usage=/);
      expect(await response.json()).toEqual([{ message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" }]);
    });

    it("refuses calls once the daily allowance is spent", async () => {
      const small = await startSalesforceSimulator({ dailyApiLimit: 2 });
      try {
        const t = ((await (await fetch(`${small.url}/services/oauth2/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret" }) })).json()) as { access_token: string }).access_token;
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) statuses.push((await fetch(`${small.url}/services/data/v62.0/limits`, { headers: { Authorization: `Bearer ${t}` } })).status);
        expect(statuses).toEqual([200, 200, 403]);
      } finally {
        await small.close();
      }
    });
  });

  describe("injected faults", () => {
    it("answers an armed 429 the Salesforce way: 403 REQUEST_LIMIT_EXCEEDED", async () => {
      await arm({ status: 429, retryAfterSeconds: 3 });
      const response = await call("GET", "/limits");
      expect(response.status).toBe(403);
      expect(response.headers.get("retry-after")).toBeNull();
      expect(((await response.json()) as { errorCode: string }[])[0]?.errorCode).toBe("REQUEST_LIMIT_EXCEEDED");
      expect((await call("GET", "/limits")).status).toBe(200);
    });

    it("answers an armed 503 with SERVER_UNAVAILABLE, once", async () => {
      await arm({ status: 503 });
      const response = await call("GET", "/limits");
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual([{ message: "injected fault 503", errorCode: "SERVER_UNAVAILABLE" }]);
      expect((await call("GET", "/limits")).status).toBe(200);
    });

    it("delays, resets connections, and leaves the token endpoint alone", async () => {
      await arm({ delayMs: 300 });
      const started = Date.now();
      expect((await login()).status).toBe(200); // token endpoint is not a data request
      expect((await call("GET", "/limits")).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      await arm({ reset: true });
      await expect(call("GET", "/limits")).rejects.toThrow();
    });

    it("only hits paths that match pathIncludes", async () => {
      await arm({ status: 500, pathIncludes: "/query" });
      expect((await call("GET", "/limits")).status).toBe(200);
      expect((await call("GET", `/query?q=${encodeURIComponent("SELECT Id FROM Contact")}`)).status).toBe(500);
    });
  });
});

describe("Salesforce simulator: references inside one Collections request", () => {
  it("resolves parents by external ID against the org as it was when the request started", async () => {
    const sim = await startSalesforceSimulator();
    try {
      const token = ((await (await fetch(`${sim.url}/services/oauth2/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret" }) })).json()) as { access_token: string }).access_token;
      const response = await fetch(`${sim.url}/services/data/v62.0/composite/sobjects/Account/CT_Business_Unit_Id__c`, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          records: [
            { attributes: { type: "Account" }, CT_Business_Unit_Id__c: "p", Name: "Parent" },
            { attributes: { type: "Account" }, CT_Business_Unit_Id__c: "c", Name: "Child", Parent: { CT_Business_Unit_Id__c: "p" } },
          ],
        }),
      });
      const results = (await response.json()) as { success: boolean; errors: { message: string }[] }[];
      expect(results[0]?.success).toBe(true);
      expect(results[1]?.success).toBe(false);
      expect(results[1]?.errors[0]?.message).toContain("Foreign key external ID: p not found");
    } finally {
      await sim.close();
    }
  });
});
