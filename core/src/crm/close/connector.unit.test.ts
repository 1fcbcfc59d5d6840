import { describe, expect, it } from "vitest";
import { validateMappingConfig } from "../../domain/mapping-config";
import type { Company, OrderActivity, Person } from "../../domain/model";
import { settingsSchema } from "../kit/define-connector";
import { connector } from "./connector";

const jane: Person = {
  kind: "person",
  sourceId: "cust-1",
  sourceVersion: 3,
  email: "jane@example.com",
  firstName: "Jane",
  lastName: "Doe",
  roles: ["buyer", "admin"],
  lastPurchaseAt: "2026-11-02T09:00:00.000Z",
  lifetimeValue: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 },
  extra: { "custom.cf_Tier1": "Gold", Title: "ignored: not a Close custom field key" },
};

describe("Close connector", () => {
  it("reads its settings from the environment: key required, base URL and pace defaulted, signature key hex", () => {
    const schema = settingsSchema(connector.settings);
    expect(schema.parse({ CLOSE_API_KEY: "k" })).toEqual({ CLOSE_API_URL: "https://api.close.com/api/v1", CLOSE_API_KEY: "k", CLOSE_REQUESTS_PER_SECOND: 20 });
    expect(schema.parse({ CLOSE_API_KEY: "k", CLOSE_REQUESTS_PER_SECOND: "400", CLOSE_WEBHOOK_SIGNATURE_KEY: "0aF1" })).toMatchObject({ CLOSE_REQUESTS_PER_SECOND: 400, CLOSE_WEBHOOK_SIGNATURE_KEY: "0aF1" });
    expect(schema.safeParse({}).success).toBe(false);
    expect(schema.safeParse({ CLOSE_API_KEY: "k", CLOSE_WEBHOOK_SIGNATURE_KEY: "not hex" }).success).toBe(false);
    expect(schema.safeParse({ CLOSE_API_KEY: "k", CLOSE_API_URL: "ftp://close" }).success).toBe(false);
    expect(Object.entries(connector.settings).filter(([, s]) => s.secured).map(([key]) => key)).toEqual(["CLOSE_API_KEY", "CLOSE_WEBHOOK_SIGNATURE_KEY"]);
  });

  it("accepts Close custom field keys as mapping targets and refuses anything else", () => {
    const target = { crm: connector.name, targetRule: connector.targetRule };
    const withTarget = (name: string) => {
      const config = structuredClone(connector.defaultMapping);
      config.entities!.person!.fields = [{ source: "custom.tier", target: name }];
      return validateMappingConfig(config, target);
    };
    expect(withTarget("custom.cf_AbC123").valid).toBe(true);
    expect(withTarget("Loyalty_Tier__c")).toMatchObject({ valid: false, issues: [{ message: expect.stringContaining("Close custom field key") }] });
    expect(validateMappingConfig(connector.defaultMapping, target)).toMatchObject({ valid: true, config: { crm: "close", consent: {} } });
  });

  it("previews a B2C person as the lead and contact Close would receive, our fields under their names", () => {
    expect(connector.previewFields(jane)).toEqual({
      name: "Jane Doe",
      "custom.ct_customer_id": "cust-1",
      "custom.ct_last_purchase_date": "2026-11-02",
      "custom.ct_lifetime_value": 123.45,
      "custom.ct_currency": "EUR",
      contacts: [
        {
          name: "Jane Doe",
          emails: [{ type: "office", email: "jane@example.com" }],
          "custom.ct_customer_id": "cust-1",
          "custom.ct_roles": "buyer, admin",
          "custom.cf_Tier1": "Gold",
        },
      ],
    });
  });

  it("previews an associate as a contact, a unit as its lead and an order as its activity", () => {
    expect(connector.previewFields({ ...jane, companySourceId: "bu-1" })).toMatchObject({ name: "Jane Doe", "custom.ct_customer_id": "cust-1", "custom.cf_Tier1": "Gold" });
    const unit: Company = { kind: "company", sourceId: "bu-2", sourceVersion: 1, key: "acme-eu", name: "ACME EU", unitType: "Division", parentSourceId: "bu-1" };
    expect(connector.previewFields(unit)).toEqual({ name: "ACME EU", "custom.ct_business_unit_id": "bu-2", "custom.ct_business_unit_key": "acme-eu", "custom.ct_parent_business_unit_id": "bu-1" });
    const order: OrderActivity = {
      kind: "order",
      sourceId: "o-1",
      sourceVersion: 1,
      activityKey: "ak-1",
      total: { centAmount: 990, currencyCode: "EUR", fractionDigits: 2 },
      orderState: "Open",
      createdAt: "2026-11-20T10:00:00.000Z",
      lines: [],
      lineSummary: "1 x Cup",
    };
    expect(connector.previewFields(order)).toEqual({
      custom_activity_type_id: "commercetools Order",
      status: "published",
      activity_at: "2026-11-20T10:00:00.000Z",
      "custom.ct_activity_key": "ak-1",
      "custom.ct_order_id": "o-1",
      "custom.ct_order_total": 9.9,
      "custom.ct_currency": "EUR",
      "custom.ct_order_state": "Open",
      "custom.ct_line_items": "1 x Cup",
    });
  });
});
