import { describe, expect, it } from "vitest";
import { validateMappingConfig } from "../../domain/mapping-config";
import type { Company, OrderActivity, Person } from "../../domain/model";
import { settingsSchema } from "../kit/define-connector";
import { byDepth } from "./companies";
import { connector } from "./connector";
import { dealOutcome } from "./mapping";

/** A B2C customer with every field the contact body carries, and two mapped extras. */
const jane: Person = {
  ...{ kind: "person", sourceId: "cust-1", sourceVersion: 3, email: "jane@example.com", firstName: "Jane", lastName: "Doe", phone: "+4930123456" },
  address: { streetLine: "Alexanderplatz 1", city: "Berlin", postalCode: "10178", region: "BE", country: "DE" },
  ...{ locale: "de-DE", storeKeys: ["berlin", "online"], customerGroupKey: "vip", roles: ["buyer"], orderCount: 4 },
  emailConsent: { granted: false, at: "2026-11-01T08:00:00.000Z" },
  lastPurchaseAt: "2026-11-02T09:00:00.000Z",
  lifetimeValue: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 },
  extra: { job_title: "Buyer", cf_loyalty_tier: "Gold", cf_cleared: null },
};

const division: Company = { kind: "company", sourceId: "bu-east", sourceVersion: 1, key: "east", name: "ACME East", unitType: "Division", parentSourceId: "bu-acme", storeKeys: ["boston"] };

const anOrder = (overrides: Partial<OrderActivity> = {}): OrderActivity => ({
  kind: "order",
  sourceId: "ord-1",
  sourceVersion: 1,
  activityKey: "ct-order-ord-1",
  orderNumber: "SB-1001",
  personSourceId: "cust-1",
  total: { centAmount: 2490, currencyCode: "EUR", fractionDigits: 2 },
  orderState: "Open",
  paymentState: "Pending",
  createdAt: "2026-11-20T10:00:00.000Z",
  lines: [],
  lineSummary: "1 x Coffee beans 1kg (BEAN-1KG) 24.90 EUR",
  ...overrides,
});

describe("Freshsales connector", () => {
  it("reads its settings: address and key required, the plan's budget, its reserve and the pace defaulted", () => {
    const schema = settingsSchema(connector.settings);
    expect(schema.parse({ FRESHSALES_API_URL: "https://acme.myfreshworks.com/crm/sales/api/", FRESHSALES_API_KEY: "k" })).toEqual({
      FRESHSALES_API_URL: "https://acme.myfreshworks.com/crm/sales/api",
      FRESHSALES_API_KEY: "k",
      FRESHSALES_HOURLY_BUDGET: 1000,
      FRESHSALES_BUDGET_RESERVE_PERCENT: 20,
      FRESHSALES_REQUESTS_PER_SECOND: 6,
    });
    expect(schema.parse({ FRESHSALES_API_URL: "https://acme.freshsales.io/api", FRESHSALES_API_KEY: "k", FRESHSALES_HOURLY_BUDGET: "5000" })).toMatchObject({ FRESHSALES_API_URL: "https://acme.freshsales.io/api", FRESHSALES_HOURLY_BUDGET: 5000 });
    const refused = (values: Record<string, string>) => schema.safeParse({ FRESHSALES_API_URL: "https://acme.myfreshworks.com", FRESHSALES_API_KEY: "k", ...values }).success;
    expect(refused({})).toBe(true);
    expect(refused({ FRESHSALES_BUDGET_RESERVE_PERCENT: "95" })).toBe(false);
    expect(refused({ FRESHSALES_HOURLY_BUDGET: "50" })).toBe(false);
    expect(refused({ FRESHSALES_WEBHOOK_SECRET: "short" })).toBe(false);
    expect(refused({ FRESHSALES_API_URL: "https://acme.myfreshworks.com/crm/deals" })).toBe(false);
    expect(schema.safeParse({ FRESHSALES_API_URL: "https://acme.myfreshworks.com" }).success).toBe(false);
    expect(Object.entries(connector.settings).filter(([, s]) => s.secured).map(([key]) => key)).toEqual(["FRESHSALES_API_KEY", "FRESHSALES_WEBHOOK_SECRET"]);
  });

  it("accepts Freshsales API names, standard and custom, as mapping targets and refuses anything else", () => {
    const rule = { crm: connector.name, targetRule: connector.targetRule };
    const mappingTo = (target: string) => ({ ...connector.defaultMapping, entities: { person: { fields: [{ source: "custom.tier", target }] }, company: { fields: [] }, order: { fields: [] } } });
    const verdicts = ["cf_loyalty_tier", "job_title", "Loyalty_Tier__c", "custom.cf_x"].map((target) => validateMappingConfig(mappingTo(target), rule).valid);
    expect(verdicts).toEqual([true, true, false, false]);
    expect(validateMappingConfig(mappingTo("Tier"), rule)).toMatchObject({ valid: false, issues: [{ message: expect.stringContaining("Freshsales field's API name") }] });
    expect(validateMappingConfig(connector.defaultMapping, rule)).toMatchObject({ valid: true, config: { crm: "freshsales" } });
  });

  it("previews a person as the contact Freshsales would receive: standard fields on top, ours and mapped custom ones under custom_field", () => {
    const contact = connector.previewFields({ ...jane, companySourceId: "bu-east" });
    const { custom_field: custom, ...standard } = contact as { custom_field: Record<string, unknown> } & Record<string, unknown>;
    expect(standard).toEqual({
      ...{ first_name: "Jane", last_name: "Doe", email: "jane@example.com", work_number: "+4930123456", job_title: "Buyer" },
      ...{ address: "Alexanderplatz 1", city: "Berlin", state: "BE", zipcode: "10178", country: "DE", subscription_status: "Unsubscribed" },
      sales_accounts: [{ id: "sales account of bu-east", is_primary: true }],
    });
    expect(custom).toEqual({
      ...{ cf_ct_customer_id: "cust-1", cf_ct_roles: "buyer", cf_ct_locale: "de-DE", cf_ct_store_keys: "berlin, online", cf_ct_customer_group: "vip" },
      ...{ cf_ct_last_purchase_at: "2026-11-02T09:00:00.000Z", cf_ct_order_count: 4, cf_ct_lifetime_value: 123.45, cf_ct_currency: "EUR" },
      ...{ cf_ct_email_consent_at: "2026-11-01T08:00:00.000Z", cf_loyalty_tier: "Gold", cf_cleared: null },
    });
    // What a record does not carry is left out, so an upsert keeps what Freshsales holds.
    expect(connector.previewFields({ kind: "person", sourceId: "c2", sourceVersion: 1, email: "x@example.com" })).toEqual({ email: "x@example.com", custom_field: { cf_ct_customer_id: "c2" } });
  });

  it("previews a division under its parent's account, and a company clearing any parent", () => {
    expect(connector.previewFields(division)).toEqual({
      name: "ACME East",
      parent_sales_account_id: "sales account of bu-acme",
      custom_field: { cf_ct_business_unit_id: "bu-east", cf_ct_business_unit_key: "east", cf_ct_unit_type: "Division", cf_ct_store_keys: "boston" },
    });
    expect(connector.previewFields({ ...division, unitType: "Company", parentSourceId: undefined })).toMatchObject({ parent_sales_account_id: null });
  });

  it("previews an order as its deal: amount in major units, a closing stage only once paid or cancelled, the line summary", () => {
    const open = connector.previewFields(anOrder());
    expect(open).toEqual({
      name: "Order SB-1001",
      amount: 24.9,
      contacts_added_list: ["contact of cust-1"],
      custom_field: {
        cf_ct_order_id: "ord-1",
        cf_ct_order_number: "SB-1001",
        cf_ct_currency: "EUR",
        cf_ct_order_state: "Open",
        cf_ct_payment_state: "Pending",
        cf_ct_line_summary: "1 x Coffee beans 1kg (BEAN-1KG) 24.90 EUR",
        cf_ct_ordered_at: "2026-11-20T10:00:00.000Z",
      },
    });
    expect(connector.previewFields(anOrder({ paymentState: "Paid" }))).toMatchObject({ deal_stage_id: "the pipeline's Won stage" });
    expect(connector.previewFields(anOrder({ orderState: "Cancelled", paymentState: "Paid" }))).toMatchObject({ deal_stage_id: "the pipeline's Lost stage" });
    expect((connector.previewFields(anOrder({ lineSummary: "x".repeat(20_000) })).custom_field as Record<string, string>).cf_ct_line_summary).toHaveLength(10_000);
  });

  it("says where an order's deal stands: open, paid is won, cancelled or money owed back is lost", () => {
    expect(dealOutcome(anOrder())).toBe("open");
    expect(dealOutcome(anOrder({ orderState: "Complete", paymentState: "Paid" }))).toBe("won");
    expect(dealOutcome(anOrder({ orderState: "Cancelled" }))).toBe("lost");
    expect(dealOutcome(anOrder({ paymentState: "CreditOwed" }))).toBe("lost");
  });

  it("writes parents in a call before their divisions, and stops a cycle where it closes", () => {
    const unit = (sourceId: string, parentSourceId?: string): Company => ({ ...division, sourceId, ...(parentSourceId ? { parentSourceId } : { parentSourceId: undefined }) });
    expect(byDepth([unit("c", "b"), unit("b", "a"), unit("a"), unit("x", "elsewhere")])).toEqual([[2, 3], [1], [0]]);
    expect(byDepth([unit("p", "q"), unit("q", "p")]).flat().sort()).toEqual([0, 1]);
  });
});
