import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DynamicsWebApi, type RequestError } from "dynamics-web-api";
import { startDynamicsSimulator, type DynamicsSimulator } from "./index";

/**
 * dynamics-web-api, unchanged, against the simulator: an independent client
 * that speaks Dataverse's Web API the way real integrations do. Its token
 * comes from the simulator's Microsoft identity endpoint through the
 * client's own onTokenRefresh callback.
 */
describe("dynamics-web-api against the Dataverse simulator", () => {
  let sim: DynamicsSimulator;
  let client: DynamicsWebApi;
  let tokenRefreshes = 0;

  async function token(): Promise<string> {
    tokenRefreshes++;
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret", scope: `${sim.url}/.default` });
    const answer = await fetch(`${sim.url}/${sim.tenant}/oauth2/v2.0/token`, { method: "POST", body: form });
    return ((await answer.json()) as { access_token: string }).access_token;
  }

  type Row = Record<string, unknown>;
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as RequestError);

  beforeAll(async () => {
    sim = await startDynamicsSimulator();
    client = new DynamicsWebApi({ serverUrl: sim.url, onTokenRefresh: token, propagateErrors: true });
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(() => {
    sim.faults.clear();
  });

  it("creates a record and reads it back by the ID the client took from OData-EntityId", async () => {
    const id = await client.create<Row, string>({ collection: "accounts", data: { name: "Contoso", ct_businessunitid: "bu-wa-1" } });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const account = await client.retrieve({ collection: "accounts", key: id, select: ["name", "ct_businessunitid"] });
    expect(account).toMatchObject({ accountid: id, name: "Contoso", ct_businessunitid: "bu-wa-1" });
    expect(tokenRefreshes).toBeGreaterThan(0);
  });

  it("upserts by alternate key: creates, then updates the same record, with its representation", async () => {
    const created = await client.upsert<Row, Row>({
      collection: "contacts",
      key: "ct_customerid='c-wa-1'",
      data: { firstname: "Ada", lastname: "Lovelace", "parentcustomerid_account@odata.bind": "/accounts(ct_businessunitid='bu-wa-1')" },
      returnRepresentation: true,
      select: ["contactid", "fullname", "_parentcustomerid_value"],
    });
    const updated = await client.upsert<Row, Row>({ collection: "contacts", key: "ct_customerid='c-wa-1'", data: { lastname: "King" }, returnRepresentation: true, select: ["contactid", "fullname"] });
    expect(updated.contactid).toBe(created.contactid);
    expect(updated.fullname).toBe("Ada King");
    expect(created._parentcustomerid_value).toMatch(/^[0-9a-f-]{36}$/);
    const byKey = await client.retrieve({ collection: "contacts", key: "ct_customerid='c-wa-1'", select: ["lastname"] });
    expect(byKey.lastname).toBe("King");
  });

  it("refuses a create-only upsert of an existing key with 412 and Dataverse's code", async () => {
    const error = await failure(client.upsert<Row, Row>({ collection: "contacts", key: "ct_customerid='c-wa-1'", data: { lastname: "Again" }, ifnonematch: "*" }));
    expect(error).toMatchObject({ status: 412, code: "0x80040237" });
  });

  it("queries with $filter, $select and $orderby, page by page through @odata.nextLink", async () => {
    for (let i = 0; i < 7; i++) await client.upsert<Row, Row>({ collection: "contacts", key: `ct_customerid='page-${i}'`, data: { lastname: `Pager ${i}`, emailaddress1: `pager${i}@example.com` } });
    const request = { collection: "contacts", select: ["lastname", "ct_customerid"], filter: "startswith(ct_customerid,'page-') and lastname ne 'Pager 3'", orderBy: ["ct_customerid desc"], maxPageSize: 4 };
    const first = await client.retrieveMultiple(request);
    expect(first.value.map((c) => c.ct_customerid)).toEqual(["page-6", "page-5", "page-4", "page-2"]);
    expect(first.oDataNextLink).toContain("$skiptoken=");
    const second = await client.retrieveMultiple(request, first.oDataNextLink);
    expect(second.value.map((c) => c.ct_customerid)).toEqual(["page-1", "page-0"]);
    expect(second.oDataNextLink).toBeUndefined();
    const all = await client.retrieveAll(request);
    expect(all.value).toHaveLength(6);
  });

  it("filters with or, contains and dates", async () => {
    const found = await client.retrieveMultiple({ collection: "contacts", select: ["ct_customerid"], filter: "contains(emailaddress1,'PAGER1@') or ct_customerid eq 'page-5'", orderBy: ["ct_customerid"] });
    expect(found.value.map((c) => c.ct_customerid)).toEqual(["page-1", "page-5"]);
    const future = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const none = await client.retrieveMultiple({ collection: "contacts", select: ["contactid"], filter: `modifiedon gt ${future}` });
    expect(none.value).toHaveLength(0);
    const recent = await client.retrieveMultiple({ collection: "contacts", select: ["contactid"], filter: `modifiedon lt ${future} and startswith(ct_customerid,'page-')` });
    expect(recent.value).toHaveLength(7);
  });

  it("upserts an opportunity by its deal key and wins it with the WinOpportunity action, inside one change set", async () => {
    const [eur] = (await client.retrieveMultiple({ collection: "transactioncurrencies", select: ["transactioncurrencyid"], filter: "isocurrencycode eq 'EUR'" })).value;
    client.startBatch();
    client.upsert({ collection: "opportunities", key: "ct_dealkey='ct-cart-wa-1'", data: { name: "Cart", estimatedvalue: 10.5, "transactioncurrencyid@odata.bind": `/transactioncurrencies(${String(eur?.transactioncurrencyid)})` } });
    client.callAction({ actionName: "WinOpportunity", action: { Status: 3, OpportunityClose: { subject: "Ordered", "opportunityid@odata.bind": "/opportunities(ct_dealkey='ct-cart-wa-1')" } } });
    await client.executeBatch({ inChangeSet: true });
    const won = await client.retrieve({ collection: "opportunities", key: "ct_dealkey='ct-cart-wa-1'", select: ["statecode", "statuscode", "actualvalue"] });
    expect(won).toMatchObject({ statecode: 1, statuscode: 3, actualvalue: 10.5 });
  });

  it("runs a $batch with a change set whose second request binds the first by Content-ID", async () => {
    client.startBatch();
    client.create<Row, string>({ collection: "accounts", data: { name: "Batch Parent", ct_businessunitid: "bu-wa-batch" }, contentId: "1" });
    client.create<Row, string>({ collection: "contacts", data: { lastname: "Batch Child", "parentcustomerid_account@odata.bind": "$1" } });
    client.retrieveMultiple({ collection: "accounts", select: ["name"], filter: "ct_businessunitid eq 'bu-wa-batch'" });
    const [parentId, childId, query] = await client.executeBatch();
    expect(parentId).toMatch(/^[0-9a-f-]{36}$/);
    const child = await client.retrieve({ collection: "contacts", key: childId as string, select: ["_parentcustomerid_value"] });
    expect(child._parentcustomerid_value).toBe(parentId);
    expect((query as { value: unknown[] }).value).toHaveLength(1);
  });

  it("rolls a change set back as a whole when one of its requests fails", async () => {
    client.startBatch();
    client.create<Row, string>({ collection: "accounts", data: { name: "Rolled back", ct_businessunitid: "bu-wa-rollback" } });
    client.create<Row, string>({ collection: "contacts", data: { lastname: "x".repeat(51) } });
    const responses = await client.executeBatch();
    // The failed change set answers with its one error, in the client's own error object.
    expect(responses).toHaveLength(1);
    expect(responses[0]).toBeInstanceOf(Error);
    expect(responses[0]).toMatchObject({ status: 400, error: { code: "0x80044331" } });
    const left = await client.retrieveMultiple({ collection: "accounts", select: ["name"], filter: "ct_businessunitid eq 'bu-wa-rollback'" });
    expect(left.value).toHaveLength(0);
  });

  it("answers errors in Dataverse's shape: missing records, unknown columns, values too long", async () => {
    const missing = await failure(client.retrieve({ collection: "contacts", key: "00000000-0000-0000-0000-000000000001" }));
    expect(missing).toMatchObject({ status: 404, code: "0x80040217" });
    const unknown = await failure(client.create<Row, string>({ collection: "contacts", data: { no_such_column: 1 } }));
    expect(unknown).toMatchObject({ status: 400, code: "0x80060888" });
    const tooLong = await failure(client.create<Row, string>({ collection: "contacts", data: { firstname: "y".repeat(51) } }));
    expect(tooLong).toMatchObject({ status: 400, code: "0x80044331" });
    expect(tooLong?.message).toContain("exceeded the maximum allowed length of '50'");
  });

  it("sees throttling as a 429 with Retry-After and the service-protection code", async () => {
    sim.faults.arm({ status: 429, times: 1, retryAfterSeconds: 7 });
    const error = await failure(client.retrieveMultiple({ collection: "contacts", select: ["contactid"], top: 1 }));
    expect(error).toMatchObject({ status: 429, code: "0x80072322" });
    expect(error?.headers?.["retry-after"]).toBe("7");
  });

  it("deletes a record; reading it afterwards is a 404", async () => {
    const id = await client.create<Row, string>({ collection: "contacts", data: { lastname: "Short-lived" } });
    await client.deleteRecord({ collection: "contacts", key: id });
    const gone = await failure(client.retrieve({ collection: "contacts", key: id }));
    expect(gone?.status).toBe(404);
  });
});
