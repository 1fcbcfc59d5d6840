import { describe, expect, it } from "vitest";
import { validateMappingConfig } from "../../domain/mapping-config";
import { settingsSchema } from "../kit/define-connector";
import { connector } from "./connector";

describe("CRM One connector", () => {
  it("reads its settings: URL, client and secret required; OAuth and a pace of 5 a second by default; the webhook secret optional", () => {
    const schema = settingsSchema(connector.settings);
    const required = { CRMONE_API_URL: "https://crm.example.com/api.php", CRMONE_CLIENT_ID: "client", CRMONE_CLIENT_SECRET: "secret" };
    expect(schema.parse(required)).toEqual({ ...required, CRMONE_AUTH: "oauth", CRMONE_REQUESTS_PER_SECOND: 5 });
    expect(schema.parse({ ...required, CRMONE_AUTH: "basic", CRMONE_REQUESTS_PER_SECOND: "12", CRMONE_WEBHOOK_SECRET: "w" })).toMatchObject({ CRMONE_AUTH: "basic", CRMONE_REQUESTS_PER_SECOND: 12, CRMONE_WEBHOOK_SECRET: "w" });
    expect(schema.safeParse({ ...required, CRMONE_AUTH: "saml" }).success).toBe(false);
    expect(schema.safeParse({ ...required, CRMONE_API_URL: "crm.example.com" }).success).toBe(false);
    expect(schema.safeParse({ CRMONE_API_URL: required.CRMONE_API_URL }).success).toBe(false);
    expect(Object.entries(connector.settings).filter(([, s]) => s.secured).map(([key]) => key)).toEqual(["CRMONE_CLIENT_SECRET", "CRMONE_WEBHOOK_SECRET"]);
  });

  it("accepts 1CRM field names as mapping targets and refuses anything else", () => {
    const mappedTo = (target: string) =>
      validateMappingConfig(
        { ...connector.defaultMapping, entities: { person: { fields: [{ source: "custom.tier", target }] }, company: { fields: [] }, order: { fields: [] } } },
        { crm: connector.name, targetRule: connector.targetRule },
      );
    expect(["ct_loyalty_tier", "lead_source", "category2"].map((t) => mappedTo(t).valid)).toEqual([true, true, true]);
    expect(["Loyalty_Tier__c", "custom.cf_x", "2nd_phone", "lead-source"].map((t) => mappedTo(t).valid)).toEqual([false, false, false, false]);
    expect(mappedTo("Loyalty_Tier__c")).toMatchObject({ issues: [{ path: ["entities", "person", "fields", 0, "target"], message: expect.stringContaining("1CRM field name") }] });
  });

  it("defaults to the CRM owning email consent, in 1CRM's own consent fields", () => {
    const checked = validateMappingConfig(connector.defaultMapping, { crm: "crmone", targetRule: connector.targetRule });
    expect(checked).toMatchObject({
      valid: true,
      config: { consent: { email: { target: "email_opt_out", invert: true, atTarget: "email_opt_in_date", owner: "crm" }, sms: { target: "do_not_call", invert: true, owner: "commercetools" } } },
    });
  });

  it("previews each record as the data 1CRM would receive", () => {
    expect(connector.previewFields({ kind: "person", sourceId: "p-1", sourceVersion: 1, email: "p@example.com", lastName: "Doe" })).toEqual({ last_name: "Doe", email1: "p@example.com", ct_customer_id: "p-1" });
    expect(connector.previewFields({ kind: "company", sourceId: "bu-1", sourceVersion: 1, key: "acme", name: "ACME", unitType: "Company" })).toEqual({
      name: "ACME",
      parent_id: "",
      ct_business_unit_id: "bu-1",
      ct_business_unit_key: "acme",
    });
    const note = connector.previewFields({
      kind: "order",
      sourceId: "o-1",
      sourceVersion: 1,
      activityKey: "ct-order-o-1",
      total: { centAmount: 500, currencyCode: "EUR", fractionDigits: 2 },
      orderState: "Open",
      createdAt: "2026-11-20T10:00:00.000Z",
      lines: [],
      lineSummary: "",
    });
    expect(note).toMatchObject({ name: "commercetools order ct-order-o-1", parent_type: "Accounts", description: expect.stringContaining("Total: 5.00 EUR") });
  });
});
