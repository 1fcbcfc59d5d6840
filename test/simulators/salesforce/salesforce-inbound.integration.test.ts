import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/salesforce/connector";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { type CrmChange, type CrmInbound, crmSnapshotSchema } from "@ct-crm-sync/core/ports/crm-inbound";
import { salesforceCall } from "../../support/salesforce-reader";
import { startSalesforceSimulator, type RunningSalesforceSimulator } from "./index";

const ctx = { correlationId: "inbound-sf-1" };

/** Reading records back and listing changes, through the connector against the simulator's REST API. */
describe("Salesforce inbound: records and changes", () => {
  let sim: RunningSalesforceSimulator;
  let inbound: CrmInbound;
  // The org's clock, moved by the tests: records written at one instant share their SystemModstamp.
  let orgTime = new Date("2026-11-20T10:00:00.000Z");

  beforeAll(async () => {
    sim = await startSalesforceSimulator({ now: () => orgTime });
    const settings = { SALESFORCE_LOGIN_URL: sim.url, SALESFORCE_CLIENT_ID: "sandbox-client", SALESFORCE_CLIENT_SECRET: "sandbox-secret", SALESFORCE_REQUESTS_PER_SECOND: "50" };
    inbound = connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock }).inbound;
  });
  afterAll(async () => {
    await sim?.close();
  });

  /** Writes through the org's REST API as a Salesforce user's tools would; answers the new record's Id. */
  async function create(object: string, fields: Record<string, unknown>): Promise<string> {
    const response = await salesforceCall(sim.url, "POST", `/sobjects/${object}`, fields);
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  it("reads a contact back in canonical names, with our custom fields by API name", async () => {
    orgTime = new Date("2026-11-20T10:05:00.000Z");
    const accountId = await create("Account", { Name: "Globex", CT_Business_Unit_Id__c: "bu-globex" });
    const contactId = await create("Contact", {
      FirstName: "Rita",
      LastName: "Reader",
      Email: "rita@example.com",
      Phone: "+4930123456",
      MailingStreet: "Main 1",
      MailingCity: "Berlin",
      MailingPostalCode: "10115",
      MailingCountry: "DE",
      AccountId: accountId,
      HasOptedOutOfEmail: true,
      CT_Customer_Id__c: "cust-rita",
      CT_Follow_Up__c: true,
      CT_Segments__c: "VIP;Newsletter",
    });
    const snapshot = await inbound.readRecord("person", contactId, ctx);
    expect(crmSnapshotSchema.parse(snapshot)).toEqual(snapshot);
    expect(snapshot).toEqual({
      entity: "person",
      crmId: contactId,
      sourceId: "cust-rita",
      modifiedAt: "2026-11-20T10:05:00.000Z",
      fields: {
        firstName: "Rita",
        lastName: "Reader",
        email: "rita@example.com",
        phone: "+4930123456",
        "address.streetLine": "Main 1",
        "address.city": "Berlin",
        "address.postalCode": "10115",
        "address.region": null,
        "address.country": "DE",
        "emailConsent.granted": false,
      },
      followUp: true,
      segments: ["VIP", "Newsletter"],
      companyCrmId: accountId,
      crmFields: expect.objectContaining({ Id: contactId, CT_Follow_Up__c: true, CT_Segments__c: "VIP;Newsletter", Description: null, HasOptedOutOfEmail: true }),
    });
    expect(await inbound.readRecord("company", accountId, ctx)).toMatchObject({ entity: "company", sourceId: "bu-globex", fields: { name: "Globex", "address.city": null } });
  });

  it("reads an opportunity as a deal with its products, and answers undefined for a record that is not there", async () => {
    const accountId = await create("Account", { Name: "Globex" });
    const contactId = await create("Contact", { LastName: "Buyer", AccountId: accountId });
    const dealId = await create("Opportunity", { Name: "Globex renewal", StageName: "Negotiation/Review", Amount: 12500, CloseDate: "2026-12-31", AccountId: accountId, ContactId: contactId });
    await create("OpportunityLineItem", { OpportunityId: dealId, ProductCode: "SKU-1", Quantity: 3, UnitPrice: 10 });
    await create("OpportunityLineItem", { OpportunityId: dealId, ProductCode: "SKU-2", Quantity: 1, UnitPrice: 5 });
    const deal = await inbound.readRecord("deal", dealId, ctx);
    expect(crmSnapshotSchema.parse(deal)).toEqual(deal);
    expect(deal).toMatchObject({
      entity: "deal",
      crmId: dealId,
      deal: { name: "Globex renewal", stage: "Negotiation/Review", status: "open", amount: 12500, personCrmId: contactId, companyCrmId: accountId, lines: [{ sku: "SKU-1", quantity: 3 }, { sku: "SKU-2", quantity: 1 }] },
    });
    expect(deal).not.toHaveProperty("sourceId");
    expect((await salesforceCall(sim.url, "PATCH", `/sobjects/Opportunity/${dealId}`, { StageName: "Closed Won" })).status).toBe(204);
    expect(await inbound.readRecord("deal", dealId, ctx)).toMatchObject({ deal: { status: "won", stage: "Closed Won" } });
    // The sync's own opportunity of a cart carries the cart key: the snapshot says so, for the inbound side to leave it alone.
    const ownId = await create("Opportunity", { Name: "Cart", StageName: "Prospecting", CloseDate: "2026-12-31", CT_Cart_Key__c: "ct-cart-own" });
    expect(await inbound.readRecord("deal", ownId, ctx)).toMatchObject({ entity: "deal", crmId: ownId, sourceId: "ct-cart-own" });
    // Polling lists a salesperson's opportunity, never one of the sync's own.
    const listed = (await inbound.changesSince!("deal", undefined, ctx)).changes.map((c) => c.crmId);
    expect(listed).toContain(dealId);
    expect(listed).not.toContain(ownId);
    expect(await inbound.readRecord("person", "0035g00000ZZZZZAAA", ctx)).toBeUndefined();
    expect(await inbound.readRecord("person", "' OR Id != '", ctx)).toBeUndefined();
  });

  it("lists every change since a checkpoint exactly once, page by page, when many share one SystemModstamp", async () => {
    orgTime = new Date("2026-11-21T09:00:00.000Z");
    const sameInstant = Array.from({ length: 2_003 }, (_, i) => sim.store.seed("Account", { Name: `Tied ${i}` }).Id);
    orgTime = new Date("2026-11-21T09:00:01.000Z");
    const later = await create("Account", { Name: "Later" });

    const seen: CrmChange[] = [];
    let checkpoint: string | undefined = undefined;
    for (let call = 0; call < 10; call++) {
      const page: { changes: CrmChange[]; checkpoint: string | undefined } = await inbound.changesSince!("company", checkpoint, ctx);
      if (page.changes.length === 0) {
        expect(page.checkpoint).toBe(checkpoint);
        break;
      }
      seen.push(...page.changes);
      checkpoint = page.checkpoint;
    }
    const fromTies = seen.filter((c) => c.modifiedAt === "2026-11-21T09:00:00.000Z").map((c) => c.crmId);
    expect(new Set(fromTies)).toEqual(new Set(sameInstant));
    expect(fromTies).toHaveLength(sameInstant.length);
    expect(seen.at(-1)).toMatchObject({ entity: "company", crmId: later, action: "updated", modifiedAt: "2026-11-21T09:00:01.000Z" });
    expect(new Set(seen.map((c) => c.deliveryId)).size).toBe(seen.length);

    // A record changed after the last page is the only change the next call lists.
    orgTime = new Date("2026-11-21T09:30:00.000Z");
    expect((await salesforceCall(sim.url, "PATCH", `/sobjects/Account/${sameInstant[0]}`, { Name: "Tied 0, renamed" })).status).toBe(204);
    const next = await inbound.changesSince!("company", checkpoint, ctx);
    expect(next.changes.map((c) => c.crmId)).toEqual([sameInstant[0]]);
  });
});
