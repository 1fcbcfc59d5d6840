import { describe, expect, it } from "vitest";
import { validateMappingConfig } from "../../domain/mapping-config";
import type { Company, OrderActivity, Person } from "../../domain/model";
import { settingsSchema } from "../kit/define-connector";
import { connector } from "./connector";

const required = { SALESFORCE_LOGIN_URL: "https://example.my.salesforce.com", SALESFORCE_CLIENT_ID: "consumer-key", SALESFORCE_CLIENT_SECRET: "consumer-secret" };

describe("Salesforce connector", () => {
  it("reads its settings: login URL and connected app required; API version and pace defaulted; org ID of 15 or 18 characters", () => {
    const schema = settingsSchema(connector.settings);
    expect(schema.parse(required)).toEqual({ ...required, SALESFORCE_API_VERSION: "62.0", SALESFORCE_REQUESTS_PER_SECOND: 5 });
    expect(schema.parse({ ...required, SALESFORCE_REQUESTS_PER_SECOND: "50", SALESFORCE_ORGANIZATION_ID: "00D5g000004SbRt" })).toMatchObject({ SALESFORCE_REQUESTS_PER_SECOND: 50 });
    expect(schema.safeParse({ ...required, SALESFORCE_ORGANIZATION_ID: "00D5g000004SbRtEAK" }).success).toBe(true);
    for (const wrong of [{ SALESFORCE_API_VERSION: "v62" }, { SALESFORCE_ORGANIZATION_ID: "00D5g0" }, { SALESFORCE_LOGIN_URL: "example.my.salesforce.com" }, { SALESFORCE_REQUESTS_PER_SECOND: "0" }]) {
      expect(schema.safeParse({ ...required, ...wrong }).success, JSON.stringify(wrong)).toBe(false);
    }
    expect(schema.safeParse({ SALESFORCE_LOGIN_URL: required.SALESFORCE_LOGIN_URL }).success).toBe(false);
    const secured = Object.entries(connector.settings).filter(([, s]) => s.secured).map(([key]) => key);
    expect(secured).toEqual(["SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET", "SALESFORCE_OUTBOUND_SECRET"]);
  });

  it("accepts field API names as mapping targets, refuses anything else, and its default mapping is valid", () => {
    const rule = { crm: "salesforce", targetRule: connector.targetRule };
    const consentAt = (atTarget: string) => ({ ...connector.defaultMapping, consent: { email: { target: "HasOptedOutOfEmail", invert: true, atTarget } } });
    expect(validateMappingConfig(consentAt("Email_Consent_At__c"), rule).valid).toBe(true);
    const refused = validateMappingConfig(consentAt("Email consent at"), rule);
    expect(refused).toMatchObject({ valid: false, issues: [{ path: ["consent", "email", "atTarget"], message: expect.stringContaining("Salesforce field API name") }] });
    expect(validateMappingConfig(connector.defaultMapping, rule)).toMatchObject({ valid: true, config: { crm: "salesforce", consent: { email: { target: "HasOptedOutOfEmail", invert: true } } } });
  });

  it("previews a person as its Contact, a unit as its Account and an order as its CT_Order__c", () => {
    const person: Person = { kind: "person", sourceId: "cust-1", sourceVersion: 1, email: "jane@example.com", firstName: "Jane", companySourceId: "bu-1", emailConsent: { granted: true, at: "2026-11-01T00:00:00.000Z" } };
    expect(connector.previewFields(person)).toEqual({
      FirstName: "Jane",
      LastName: "[not provided]",
      Email: "jane@example.com",
      Account: { CT_Business_Unit_Id__c: "bu-1" },
      HasOptedOutOfEmail: false,
    });
    const unit: Company = { kind: "company", sourceId: "bu-2", sourceVersion: 1, key: "acme-eu", name: "ACME EU", unitType: "Division", parentSourceId: "bu-1" };
    expect(connector.previewFields(unit)).toEqual({ Name: "ACME EU", Parent: { CT_Business_Unit_Id__c: "bu-1" }, CT_Business_Unit_Key__c: "acme-eu", CT_Unit_Type__c: "Division" });
    const order: OrderActivity = {
      kind: "order",
      sourceId: "o-1",
      sourceVersion: 1,
      activityKey: "ak-1",
      orderNumber: "SB-1001",
      personSourceId: "cust-1",
      total: { centAmount: 990, currencyCode: "EUR", fractionDigits: 2 },
      orderState: "Open",
      createdAt: "2026-11-20T10:00:00.000Z",
      lines: [],
      lineSummary: "1 x Cup",
    };
    expect(connector.previewFields(order)).toMatchObject({ Name: "SB-1001", Contact__r: { CT_Customer_Id__c: "cust-1" }, CT_Total__c: 9.9, CT_Currency__c: "EUR" });
  });
});
