import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import { soql } from "../support/salesforce-reader";

describe("sandbox seed: the sync model's outcomes are visible in the CRM simulator", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", seed: true, captureLogs: true });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("reflects the consent withdrawal: the contact is opted out of email", async () => {
    const [jane] = await soql<{ HasOptedOutOfEmail: boolean }>(
      sandbox.urls.salesforce,
      `SELECT HasOptedOutOfEmail FROM Contact WHERE CT_Customer_Id__c = '${sandbox.seeded!.customers.jane}'`,
    );
    expect(jane?.HasOptedOutOfEmail).toBe(true);
  });

  it("keeps the B2B hierarchy: the division's account points at the company's", async () => {
    const seeded = sandbox.seeded!;
    const [division] = await soql<{ Parent: { CT_Business_Unit_Id__c: string } | null }>(
      sandbox.urls.salesforce,
      `SELECT Parent.CT_Business_Unit_Id__c FROM Account WHERE CT_Business_Unit_Id__c = '${seeded.businessUnits.acmeEast}'`,
    );
    expect(division?.Parent?.CT_Business_Unit_Id__c).toBe(seeded.businessUnits.acme);
  });

  it("attaches the guest order to a guest contact of its own: one contact, flagged by its derived ID", async () => {
    const orders = await soql<{ Contact__r: { CT_Customer_Id__c: string; Email: string } | null }>(
      sandbox.urls.salesforce,
      `SELECT Contact__r.CT_Customer_Id__c, Contact__r.Email FROM CT_Order__c WHERE CT_Order_Id__c = '${sandbox.seeded!.orders.guest}'`,
    );
    expect(orders).toHaveLength(1);
    expect(orders[0]?.Contact__r).toMatchObject({ CT_Customer_Id__c: expect.stringMatching(/^guest-/), Email: "guest.shopper@example.com" });
  });

  it("never merges an ambiguous email: the guest order waits in review with both candidates, nothing written", async () => {
    const seeded = sandbox.seeded!;
    const twins = await soql<{ CT_Customer_Id__c: string }>(sandbox.urls.salesforce, "SELECT CT_Customer_Id__c FROM Contact WHERE Email = 'sam.shared@example.com'");
    expect(twins.map((t) => t.CT_Customer_Id__c).sort()).toEqual([seeded.customers.samBerlin, seeded.customers.samBoston].sort());
    expect(await soql(sandbox.urls.salesforce, `SELECT Id FROM CT_Order__c WHERE CT_Order_Id__c = '${seeded.orders.ambiguousGuest}'`)).toHaveLength(0);
    const review = await sandbox.runtimes.service.failures.get(failureKey("sandbox", "ct-to-crm", "order", seeded.orders.ambiguousGuest!));
    expect(review).toMatchObject({ errorClass: "ambiguous_match", state: "open" });
    const candidates = Object.values(review?.fields ?? {}).join(" ");
    expect(candidates).toContain(seeded.customers.samBerlin);
    expect(candidates).toContain(seeded.customers.samBoston);
  });
});
