import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
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
});
