import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Connection } from "jsforce";
import { startSalesforceSimulator, type RunningSalesforceSimulator } from "./index";

/**
 * The independent reference: the real jsforce client, unchanged, against the
 * simulator. If jsforce cannot talk to it, the simulator is wrong, not jsforce.
 */
describe("Salesforce simulator with the jsforce client", () => {
  let sim: RunningSalesforceSimulator;
  let conn: Connection;

  beforeAll(async () => {
    sim = await startSalesforceSimulator({ queryPageSize: 5, bulkProcessingDelayMs: 20 });
    conn = new Connection({
      loginUrl: sim.url,
      version: "62.0",
      oauth2: { loginUrl: sim.url, clientId: "sandbox-client", clientSecret: "sandbox-secret" },
    });
    await conn.authorize({ grant_type: "client_credentials" });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("logs in with client credentials and learns the instance URL and org", async () => {
    expect(conn.accessToken).toMatch(/^00D/);
    expect(conn.instanceUrl).toBe(sim.url);
    expect(conn.userInfo?.organizationId).toBe("00D5g00000SIMORG");
  });

  it("refuses bad client credentials with Salesforce's OAuth error", async () => {
    const bad = new Connection({ loginUrl: sim.url, version: "62.0", oauth2: { loginUrl: sim.url, clientId: "sandbox-client", clientSecret: "wrong" } });
    const error = await bad.authorize({ grant_type: "client_credentials" }).catch((e: unknown) => e);
    expect((error as Error).name).toBe("invalid_client");
    expect((error as Error).message).toBe("invalid client credentials");
  });

  it("upserts one record by external ID: created, then updated", async () => {
    const first = await conn.sobject("Contact").upsert({ CT_Customer_Id__c: "jf-1", LastName: "Doe", Email: "jf-1@example.com" }, "CT_Customer_Id__c");
    expect(first).toMatchObject({ success: true, created: true });
    const second = await conn.sobject("Contact").upsert({ CT_Customer_Id__c: "jf-1", LastName: "Smith" }, "CT_Customer_Id__c");
    expect(second).toMatchObject({ success: true, created: false, id: (first as { id: string }).id });
    const read = await conn.sobject("Contact").retrieve((first as { id: string }).id);
    expect(read).toMatchObject({ LastName: "Smith", Email: "jf-1@example.com", Name: "Smith" });
  });

  it("upserts a collection through sObject Collections, per-record results in order", async () => {
    await conn.sobject("Account").upsert({ CT_Business_Unit_Id__c: "jf-bu", Name: "ACME" }, "CT_Business_Unit_Id__c");
    const results = await conn.sobject("Contact").upsert(
      [
        { CT_Customer_Id__c: "jf-2", LastName: "Two", Account: { CT_Business_Unit_Id__c: "jf-bu" } },
        { CT_Customer_Id__c: "jf-3", Email: "no-last-name@example.com" },
        { CT_Customer_Id__c: "jf-4", LastName: "Four", Email: "not an email" },
      ],
      "CT_Customer_Id__c",
    );
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({ success: true, created: true });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: "REQUIRED_FIELD_MISSING", fields: ["LastName"] }] });
    expect(results[2]).toMatchObject({ success: false, errors: [{ statusCode: "INVALID_EMAIL_ADDRESS" }] });
    // One call for three records: the Collections endpoint, not three single upserts.
    expect(sim.requests.at(-1)).toMatchObject({ method: "PATCH", path: "/services/data/v62.0/composite/sobjects/Contact/CT_Customer_Id__c", status: 200 });
  });

  it("queries with relationship fields and follows nextRecordsUrl across pages", async () => {
    await conn.sobject("Contact").upsert(
      Array.from({ length: 12 }, (_, i) => ({ CT_Customer_Id__c: `jf-page-${i}`, LastName: `Page ${i}`, Account: { CT_Business_Unit_Id__c: "jf-bu" } })),
      "CT_Customer_Id__c",
    );
    const first = await conn.query<{ CT_Customer_Id__c: string; Account: { CT_Business_Unit_Id__c: string } | null }>(
      "SELECT Id, CT_Customer_Id__c, Account.CT_Business_Unit_Id__c FROM Contact WHERE Account.CT_Business_Unit_Id__c = 'jf-bu' ORDER BY LastName",
    );
    expect(first.totalSize).toBe(13);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(5);
    const all = await conn.query("SELECT Id, CT_Customer_Id__c FROM Contact WHERE Account.CT_Business_Unit_Id__c = 'jf-bu'").run({ autoFetch: true, maxFetch: 100 });
    expect(all.records ?? all).toBeDefined();
    const rows = await conn
      .sobject("Contact")
      .find({ "Account.CT_Business_Unit_Id__c": "jf-bu" }, ["Id", "CT_Customer_Id__c", "Account.CT_Business_Unit_Id__c"])
      .execute({ autoFetch: true, maxFetch: 100 });
    expect(rows).toHaveLength(13);
    expect(first.records[0]?.Account?.CT_Business_Unit_Id__c).toBe("jf-bu");
    const count = await conn.query("SELECT COUNT() FROM Contact WHERE CT_Customer_Id__c LIKE 'jf-page-%'");
    expect(count.totalSize).toBe(12);
  });

  it("upserts an opportunity by its cart key and a task whose polymorphic What names its type, and reads the stage's closed flags", async () => {
    await conn.sobject("CT_Order__c").upsert({ CT_Order_Id__c: "jf-order", Name: "JF-1" }, "CT_Order_Id__c");
    const [opportunity] = await conn.sobject("Opportunity").upsert(
      [{ CT_Cart_Key__c: "ct-cart-jf", Name: "Cart", StageName: "Closed Won", CloseDate: "2026-11-21", CT_Order_Record__r: { CT_Order_Id__c: "jf-order" } }],
      "CT_Cart_Key__c",
    );
    expect(opportunity).toMatchObject({ success: true, created: true });
    const [task] = await conn.sobject("Task").upsert(
      [{ CT_Event_Key__c: "jf-order-paid", Subject: "Order JF-1 paid", Status: "Completed", What: { attributes: { type: "CT_Order__c" }, CT_Order_Id__c: "jf-order" } }],
      "CT_Event_Key__c",
    );
    expect(task).toMatchObject({ success: true, created: true });
    const closed = await conn.query<{ IsClosed: boolean; IsWon: boolean; CT_Order_Record__r: { Name: string } }>(
      "SELECT IsClosed, IsWon, CT_Order_Record__r.Name FROM Opportunity WHERE CT_Cart_Key__c IN ('ct-cart-jf', 'ct-cart-none')",
    );
    expect(closed.records).toEqual([expect.objectContaining({ IsClosed: true, IsWon: true, CT_Order_Record__r: expect.objectContaining({ Name: "JF-1" }) })]);
    const tasks = await conn.query<{ WhatId: string }>("SELECT WhatId FROM Task WHERE CT_Event_Key__c = 'jf-order-paid'");
    const order = await conn.query<{ Id: string }>("SELECT Id FROM CT_Order__c WHERE CT_Order_Id__c = 'jf-order'");
    expect(tasks.records[0]?.WhatId).toBe(order.records[0]?.Id);
  });

  it("reports API usage from Sforce-Limit-Info and /limits", async () => {
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(100000);
    expect(conn.limitInfo?.apiUsage?.used).toBeGreaterThan(0);
    expect(conn.limitInfo?.apiUsage?.limit).toBe(100000);
  });

  it("describes objects, with the external ID fields flagged", async () => {
    const d = await conn.sobject("Contact").describe();
    expect(d.fields.find((f) => f.name === "CT_Customer_Id__c")).toMatchObject({ externalId: true, unique: true });
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toContain("CT_Order__c");
  });

  it("runs a Bulk API 2.0 upsert job and returns successful and failed results", async () => {
    conn.bulk2.pollInterval = 20;
    const results = await conn.bulk2.loadAndWaitForResults({
      object: "Contact",
      operation: "upsert",
      externalIdFieldName: "CT_Customer_Id__c",
      input: "CT_Customer_Id__c,LastName,Email,Account.CT_Business_Unit_Id__c\njf-bulk-1,Bulk,b1@example.com,jf-bu\njf-bulk-2,,b2@example.com,\njf-1,Renamed,,\n",
      pollInterval: 20,
      pollTimeout: 5000,
    });
    expect(results.successfulResults.map((r) => (r as Record<string, unknown>).CT_Customer_Id__c)).toEqual(["jf-bulk-1", "jf-1"]);
    expect(results.successfulResults.map((r) => r.sf__Created)).toEqual(["true", "false"]);
    expect(results.failedResults).toHaveLength(1);
    expect(String(results.failedResults[0]?.sf__Error)).toContain("REQUIRED_FIELD_MISSING");
    const renamed = await conn.query<{ LastName: string; Email: string }>("SELECT LastName, Email FROM Contact WHERE CT_Customer_Id__c = 'jf-1'");
    // An empty CSV cell leaves the field as it was.
    expect(renamed.records[0]).toMatchObject({ LastName: "Renamed", Email: "jf-1@example.com" });
  });
});
