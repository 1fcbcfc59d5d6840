import { describe, expect, it } from "vitest";
import { validateMappingConfig } from "../../domain/mapping-config";
import type { CartDeal, Company, OrderActivity, OrderEvent, Person } from "../../domain/model";
import { settingsSchema } from "../kit/define-connector";
import { parentsFirst } from "./adapter";
import { connector } from "./connector";
import { closingAction, dealBody } from "./deals";
import { stableGuid } from "./mapping";
import { eventNote } from "./order-events";
import { usesMsal } from "./token";

/** A B2B buyer with everything the contact carries. */
const jane: Person = {
  ...{ kind: "person", sourceId: "cust-1", sourceVersion: 3, email: "jane@example.com", firstName: "Jane", lastName: "Doe", phone: "+4930123456" },
  ...{ address: { streetLine: "Alexanderplatz 1", city: "Berlin", postalCode: "10178", country: "DE" }, roles: ["buyer", "admin"], locale: "de-DE" },
  ...{ storeKeys: ["berlin"], customerGroupKey: "b2b", emailConsent: { granted: false, at: "2026-11-01T09:00:00.000Z" }, smsConsent: { granted: true, at: "2026-11-02T09:00:00.000Z" } },
  ...{ lastPurchaseAt: "2026-11-02T09:00:00.000Z", orderCount: 3, lifetimeValue: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 }, extra: { ct_loyaltytier: "Gold" } },
};

const order = (overrides: Partial<OrderActivity> = {}): OrderActivity => ({
  kind: "order",
  sourceId: "o-1",
  sourceVersion: 1,
  activityKey: "ct-order-o-1",
  orderNumber: "SB-1",
  personSourceId: "cust-1",
  companySourceId: "bu-1",
  total: { centAmount: 990, currencyCode: "EUR", fractionDigits: 2 },
  orderState: "Open",
  paymentState: "Pending",
  shipmentState: "Pending",
  createdAt: "2026-11-20T10:00:00.000Z",
  storeKey: "berlin",
  lines: [],
  lineSummary: "1 x Cup",
  ...overrides,
});

const unit = (sourceId: string, parentSourceId?: string): Company => ({ kind: "company", sourceId, sourceVersion: 1, key: `key-${sourceId}`, name: `Unit ${sourceId}`, unitType: parentSourceId ? "Division" : "Company", ...(parentSourceId ? { parentSourceId } : {}) });

describe("Dynamics 365 connector", () => {
  const required = { DYNAMICS_ORG_URL: "https://contoso.crm4.dynamics.com", DYNAMICS_TENANT_ID: "t-1", DYNAMICS_CLIENT_ID: "c-1", DYNAMICS_CLIENT_SECRET: "s" };

  it("reads its settings: org, tenant, client and secret required; authority, token client and pace defaulted; limits kept below Dataverse's", () => {
    const schema = settingsSchema(connector.settings);
    expect(schema.parse(required)).toEqual({
      ...required,
      DYNAMICS_AUTHORITY_URL: "https://login.microsoftonline.com",
      DYNAMICS_TOKEN_CLIENT: "auto",
      DYNAMICS_REQUESTS_PER_SECOND: 15,
      DYNAMICS_MAX_CONCURRENCY: 8,
    });
    expect(schema.safeParse({ ...required, DYNAMICS_CLIENT_SECRET: undefined }).success).toBe(false);
    expect(schema.safeParse({ ...required, DYNAMICS_MAX_CONCURRENCY: "52" }).success).toBe(false);
    expect(schema.safeParse({ ...required, DYNAMICS_REQUESTS_PER_SECOND: "21" }).success).toBe(false);
    expect(schema.safeParse({ ...required, DYNAMICS_APPLICATION_USER_ID: "not-a-guid" }).success).toBe(false);
    expect(schema.safeParse({ ...required, DYNAMICS_TOKEN_CLIENT: "adal" }).success).toBe(false);
    expect(Object.entries(connector.settings).filter(([, s]) => s.secured).map(([key]) => key)).toEqual(["DYNAMICS_CLIENT_SECRET", "DYNAMICS_WEBHOOK_KEY"]);
    expect(connector.limits.maxConcurrency).toBeLessThan(52);
  });

  it("accepts Dataverse column logical names and lookups as mapping targets, and its default mapping with consent columns", () => {
    const rule = new RegExp(connector.targetRule.pattern);
    expect(["ct_loyaltytier", "telephone2", "ownerid@odata.bind"].filter((t) => rule.test(t))).toHaveLength(3);
    expect(["Loyalty_Tier__c", "custom.cf_X", "ownerid@odata.type", "2fa"].some((t) => rule.test(t))).toBe(false);
    const config = { ...connector.defaultMapping, entities: { ...connector.defaultMapping.entities, person: { fields: [{ source: "custom.tier", target: "Tier__c" }] } } };
    const refused = validateMappingConfig(config, { crm: connector.name, targetRule: connector.targetRule });
    expect(refused).toMatchObject({ valid: false, issues: [{ message: expect.stringContaining("Dataverse column") }] });
    expect(validateMappingConfig(connector.defaultMapping, { crm: connector.name, targetRule: connector.targetRule })).toMatchObject({
      valid: true,
      config: { crm: "dynamics", consent: { email: { target: "donotbulkemail", invert: true, atTarget: "ct_emailconsentat" } } },
    });
  });

  it("previews a person as the contact columns: names, email, E.164 phone, address, consent with its time, purchase figures, mapped extras", () => {
    expect(connector.previewFields({ ...jane, companySourceId: "bu/1" })).toEqual({
      firstname: "Jane",
      lastname: "Doe",
      emailaddress1: "jane@example.com",
      telephone1: "+4930123456",
      address1_line1: "Alexanderplatz 1",
      address1_city: "Berlin",
      address1_postalcode: "10178",
      address1_country: "DE",
      "parentcustomerid_account@odata.bind": "/accounts(ct_businessunitid='bu%2F1')",
      ct_roles: "buyer;admin",
      ct_locale: "de-DE",
      ct_storekeys: "berlin",
      ct_customergroup: "b2b",
      donotbulkemail: true,
      ct_emailconsentat: "2026-11-01T09:00:00.000Z",
      ct_smsconsent: true,
      ct_smsconsentat: "2026-11-02T09:00:00.000Z",
      ct_lastpurchasedate: "2026-11-02",
      ct_ordercount: 3,
      ct_lifetimevalue: 123.45,
      ct_lifetimevaluecurrency: "EUR",
      ct_loyaltytier: "Gold",
    });
  });

  it("previews a division as an account under its parent's, and an order as its ct_orders row linked to contact and account", () => {
    expect(connector.previewFields(unit("bu-2", "bu-1"))).toEqual({
      name: "Unit bu-2",
      "parentaccountid@odata.bind": "/accounts(ct_businessunitid='bu-1')",
      ct_businessunitkey: "key-bu-2",
      ct_unittype: "Division",
    });
    expect(connector.previewFields(order({ orderNumber: "O'Brien-1" }))).toEqual({
      ct_name: "O'Brien-1",
      ct_ordernumber: "O'Brien-1",
      "ct_contactid@odata.bind": "/contacts(ct_customerid='cust-1')",
      "ct_accountid@odata.bind": "/accounts(ct_businessunitid='bu-1')",
      ct_total: 9.9,
      ct_currency: "EUR",
      ct_orderstate: "Open",
      ct_paymentstate: "Pending",
      ct_shipmentstate: "Pending",
      ct_linesummary: "1 x Cup",
      ct_orderedat: "2026-11-20T10:00:00.000Z",
      ct_storekey: "berlin",
    });
  });

  it("quotes alternate-key values as OData literals, a quote doubled", () => {
    expect(connector.previewFields({ ...jane, companySourceId: "o'neil" })["parentcustomerid_account@odata.bind"]).toBe("/accounts(ct_businessunitid='o''neil')");
  });
});

describe("Dynamics 365 timeline notes", () => {
  const event = (overrides: Partial<OrderEvent> = {}): OrderEvent => ({
    ...{ kind: "order-event", sourceId: "ct-order-o-1-refunded-tx-1", orderSourceId: "o-1", orderNumber: "SB-1", orderActivityKey: "ct-order-o-1" },
    ...{ personSourceId: "cust-1", companySourceId: "bu-1", type: "refunded", at: "2026-11-21T10:00:00.000Z", amount: { centAmount: 1234, currencyCode: "EUR", fractionDigits: 2 } },
    ...overrides,
  });

  it("writes a transition as a note on the contact, dated when it happened, its amount in major units, with an ID the same key always gives", () => {
    const note = eventNote(event())!;
    expect(note.body).toMatchObject({
      subject: "Order SB-1 refunded 12.34 EUR",
      overriddencreatedon: "2026-11-21T10:00:00.000Z",
      "objectid_contact@odata.bind": "/contacts(ct_customerid='cust-1')",
    });
    expect(String(note.body.notetext).split("\n").slice(-4)).toEqual(["Event: refunded", "Amount: 12.34 EUR", "Order ID: o-1", "Entry: ct-order-o-1-refunded-tx-1"]);
    expect(eventNote(event({ detail: "other words" }))!.id).toBe(note.id);
    expect(eventNote(event({ sourceId: "ct-order-o-1-refunded-tx-2" }))!.id).not.toBe(note.id);
  });

  it("puts the note on the account when the order has no customer, and writes none when it has neither", () => {
    expect(eventNote(event({ personSourceId: undefined }))!.body).toMatchObject({ "objectid_account@odata.bind": "/accounts(ct_businessunitid='bu-1')" });
    expect(eventNote(event({ personSourceId: undefined, companySourceId: undefined }))).toBeUndefined();
  });

  it("derives GUIDs in the UUID version 5 layout, distinct per name", () => {
    const id = stableGuid("ct-order-o-1-paid");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableGuid("ct-order-o-1-paid")).toBe(id);
    expect(stableGuid("ct-order-o-1-shipped")).not.toBe(id);
  });
});

describe("Dynamics 365 cart opportunities", () => {
  const cart = (overrides: Partial<CartDeal> = {}): CartDeal => ({
    ...{ kind: "deal", sourceId: "cart-1", sourceVersion: 2, dealKey: "ct-cart-cart-1", personSourceId: "cust-1", title: "Cart · 2 items · berlin" },
    ...{ total: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 }, status: "open", lines: [], lineSummary: "2 x Cup (SKU-1) 123.45 EUR" },
    ...{ storeKey: "berlin", lastActivityAt: "2026-11-20T10:00:00.000Z" },
    ...overrides,
  });
  const currency = "0c0ffee0-0000-4000-8000-0000000000e1";

  it("writes the value in major units in the cart's currency, for the contact, open and In Progress", () => {
    expect(dealBody(cart(), currency, false)).toEqual({
      name: "Cart · 2 items · berlin",
      estimatedvalue: 123.45,
      "transactioncurrencyid@odata.bind": `/transactioncurrencies(${currency})`,
      "customerid_contact@odata.bind": "/contacts(ct_customerid='cust-1')",
      "parentcontactid@odata.bind": "/contacts(ct_customerid='cust-1')",
      description: "2 x Cup (SKU-1) 123.45 EUR",
      statuscode: 1,
      ct_cartstatus: "open",
      ct_storekey: "berlin",
      ct_lastactivityat: "2026-11-20T10:00:00.000Z",
    });
    expect(closingAction(cart())).toBeUndefined();
  });

  it("makes a business unit's cart the account's opportunity, and flags an abandoned cart On Hold, still open", () => {
    const body = dealBody(cart({ companySourceId: "bu-1", status: "abandoned" }), currency, false);
    expect(body).toMatchObject({ "customerid_account@odata.bind": "/accounts(ct_businessunitid='bu-1')", statuscode: 2, ct_cartstatus: "abandoned" });
    expect(body).not.toHaveProperty("customerid_contact@odata.bind");
  });

  it("closes a won cart with WinOpportunity linked to its order's row when that exists, a lost one with LoseOpportunity", () => {
    const won = cart({ status: "won", statusAt: "2026-11-21T10:00:00.000Z", orderSourceId: "o-1", orderNumber: "SB-1" });
    expect(dealBody(won, currency, true)).toMatchObject({ ct_ordernumber: "SB-1", "ct_commerceorderid@odata.bind": "/ct_orders(ct_orderid='o-1')" });
    expect(dealBody(won, currency, false)).not.toHaveProperty("ct_commerceorderid@odata.bind");
    expect(closingAction(won)).toEqual({
      method: "POST",
      path: "/WinOpportunity",
      json: {
        Status: 3,
        OpportunityClose: {
          subject: "Cart ordered: order SB-1",
          "opportunityid@odata.bind": "/opportunities(ct_dealkey='ct-cart-cart-1')",
          actualrevenue: 123.45,
          actualend: "2026-11-21T10:00:00.000Z",
        },
      },
    });
    expect(closingAction(cart({ status: "lost" }))).toMatchObject({ path: "/LoseOpportunity", json: { Status: 4 } });
  });
});

describe("Dynamics 365 companies and tokens", () => {
  it("orders a batch's companies so a parent is written before its divisions, whatever the input order", () => {
    const units = [unit("east", "acme"), unit("west", "acme"), unit("acme"), unit("east-1", "east"), unit("solo")];
    const order = parentsFirst(units).map((i) => units[i]!.sourceId);
    expect(order.indexOf("acme")).toBeLessThan(order.indexOf("east"));
    expect(order.indexOf("east")).toBeLessThan(order.indexOf("east-1"));
    expect(order).toHaveLength(5);
    // A cycle (bad data) is written as it stands.
    expect(parentsFirst([unit("a", "b"), unit("b", "a")])).toEqual([0, 1]);
  });

  it("takes msal for Microsoft identity and a form POST for a local authority, unless told", () => {
    expect(usesMsal({ authorityUrl: "https://login.microsoftonline.com", client: "auto" })).toBe(true);
    expect(usesMsal({ authorityUrl: "http://127.0.0.1:8993", client: "auto" })).toBe(false);
    expect(usesMsal({ authorityUrl: "https://localhost:8443", client: "auto" })).toBe(false);
    expect(usesMsal({ authorityUrl: "https://login.microsoftonline.us", client: "form" })).toBe(false);
    expect(usesMsal({ authorityUrl: "http://127.0.0.1:8993", client: "msal" })).toBe(true);
  });
});
