import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSalesforceSimulator, type RunningSalesforceSimulator } from "./index";

/** Raw HTTP: what carts' opportunities and the order timeline's tasks need of the org, as an org answers it. */
describe("Salesforce simulator: opportunities and tasks", () => {
  let sim: RunningSalesforceSimulator;
  let token: string;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sim.url}/services/data/v62.0${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const upsert = (object: string, field: string, records: Record<string, unknown>[]) =>
    call("PATCH", `/composite/sobjects/${object}/${field}`, { allOrNone: false, records: records.map((r) => ({ attributes: { type: object }, ...r })) });
  const query = async (soql: string) => ((await call("GET", `/query?q=${encodeURIComponent(soql)}`)).body as { records: Record<string, unknown>[] }).records;

  beforeAll(async () => {
    sim = await startSalesforceSimulator();
    const login = await fetch(`${sim.url}/services/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret" }),
    });
    token = ((await login.json()) as { access_token: string }).access_token;
    await upsert("Contact", "CT_Customer_Id__c", [{ CT_Customer_Id__c: "c-1", LastName: "Buyer" }]);
    await upsert("CT_Order__c", "CT_Order_Id__c", [{ CT_Order_Id__c: "o-1", Name: "ON-1" }]);
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("derives IsClosed and IsWon from the stage and refuses them in a write", async () => {
    const base = { Name: "Cart", CloseDate: "2026-11-27" };
    const written = await upsert("Opportunity", "CT_Cart_Key__c", [
      { ...base, CT_Cart_Key__c: "ct-cart-open", StageName: "Prospecting", CT_Contact__r: { CT_Customer_Id__c: "c-1" } },
      { ...base, CT_Cart_Key__c: "ct-cart-lost", StageName: "Closed Lost" },
      { ...base, CT_Cart_Key__c: "ct-cart-won", StageName: "Closed Won", CT_Order_Record__r: { CT_Order_Id__c: "o-1" } },
      { ...base, CT_Cart_Key__c: "ct-cart-flagged", StageName: "Prospecting", IsClosed: true },
    ]);
    expect(written.status).toBe(200);
    expect((written.body as { success: boolean }[]).map((r) => r.success)).toEqual([true, true, true, false]);
    expect((written.body as { errors: { statusCode: string }[] }[])[3]?.errors[0]?.statusCode).toBe("INVALID_FIELD_FOR_INSERT_UPDATE");

    const rows = await query(
      "SELECT CT_Cart_Key__c, IsClosed, IsWon, CT_Contact__r.CT_Customer_Id__c, CT_Order_Record__r.CT_Order_Id__c FROM Opportunity WHERE CT_Cart_Key__c IN ('ct-cart-open', 'ct-cart-lost', 'ct-cart-won') ORDER BY CT_Cart_Key__c",
    );
    expect(rows.map((r) => [r.CT_Cart_Key__c, r.IsClosed, r.IsWon])).toEqual([
      ["ct-cart-lost", true, false],
      ["ct-cart-open", false, false],
      ["ct-cart-won", true, true],
    ]);
    expect(rows[1]?.CT_Contact__r).toMatchObject({ CT_Customer_Id__c: "c-1" });
    expect(rows[2]?.CT_Order_Record__r).toMatchObject({ CT_Order_Id__c: "o-1" });
  });

  it("refuses an opportunity without the required stage and close date", async () => {
    const refused = await upsert("Opportunity", "CT_Cart_Key__c", [{ CT_Cart_Key__c: "ct-cart-bare", Name: "Cart" }]);
    expect((refused.body as { errors: { statusCode: string; fields: string[] }[] }[])[0]?.errors[0]).toMatchObject({
      statusCode: "REQUIRED_FIELD_MISSING",
      fields: ["StageName", "CloseDate"],
    });
  });

  it("upserts tasks on an Activity external ID, the polymorphic What resolved by the type its attributes name", async () => {
    const what = (type?: string) => ({ ...(type ? { attributes: { type } } : {}), CT_Order_Id__c: "o-1" });
    const written = await upsert("Task", "CT_Event_Key__c", [
      { CT_Event_Key__c: "ct-order-o-1-paid", Subject: "Order ON-1 paid", Status: "Completed", Who: { CT_Customer_Id__c: "c-1" }, What: what("CT_Order__c") },
      { CT_Event_Key__c: "ct-order-o-1-shipped", Subject: "Order ON-1 shipped", What: what() },
      { CT_Event_Key__c: "ct-order-o-1-canceled", Subject: "Order ON-1 canceled", What: what("Contact") },
    ]);
    const results = written.body as { success: boolean; created?: boolean; errors: { statusCode: string }[] }[];
    expect(results.map((r) => r.success)).toEqual([true, false, false]);
    expect(results[0]?.created).toBe(true);
    expect(results.slice(1).map((r) => r.errors[0]?.statusCode)).toEqual(["INVALID_FIELD", "INVALID_FIELD"]);

    const [order] = await query("SELECT Id FROM CT_Order__c WHERE CT_Order_Id__c = 'o-1'");
    const [contact] = await query("SELECT Id FROM Contact WHERE CT_Customer_Id__c = 'c-1'");
    const [task] = await query("SELECT WhoId, WhatId, Status FROM Task WHERE CT_Event_Key__c = 'ct-order-o-1-paid'");
    expect(task).toMatchObject({ WhoId: contact?.Id, WhatId: order?.Id, Status: "Completed" });

    const again = await upsert("Task", "CT_Event_Key__c", [{ CT_Event_Key__c: "CT-ORDER-O-1-PAID", Subject: "Order ON-1 paid" }]);
    expect((again.body as { created: boolean }[])[0]?.created).toBe(false);
  });

  it("refuses a WhatId that points at an object the lookup does not allow", async () => {
    const [contact] = await query("SELECT Id FROM Contact WHERE CT_Customer_Id__c = 'c-1'");
    const refused = await call("POST", "/sobjects/Task", { Subject: "Wrong parent", WhatId: contact?.Id });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual([expect.objectContaining({ errorCode: "FIELD_INTEGRITY_EXCEPTION", fields: ["WhatId"] })]);
  });
});
