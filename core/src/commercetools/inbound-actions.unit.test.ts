import { describe, expect, it } from "vitest";
import type { Customer, Type } from "@commercetools/platform-sdk";
import { SyncError } from "../domain/errors";
import { ownTypeKeys, typeForNewFields } from "./custom-types";
import { cartLineActions, customerActions } from "./inbound-actions";

const customer = (over: Partial<Customer> = {}): Customer =>
  ({
    id: "c1",
    version: 3,
    email: "jane@example.com",
    addresses: [{ id: "a1", key: "home", country: "DE", city: "Berlin", streetName: "Main", streetNumber: "1", mobile: "+4915100000000" }],
    defaultBillingAddressId: "a1",
    authenticationMode: "Password",
    isEmailVerified: false,
    stores: [],
    customerGroupAssignments: [],
    createdAt: "",
    lastModifiedAt: "",
    ...over,
  }) as Customer;

const context = { typeKey: "crm-sync-customer", groupIds: new Map([["vip", "group-1"]]) };

describe("inbound values as customer update actions", () => {
  it("changes the main address in place, the street line as its name, the phone where the canonical phone comes from (mobile)", () => {
    const actions = customerActions(customer(), { "address.streetLine": "Side 2", "address.city": "Munich", phone: "+4930111" }, context);
    expect(actions).toEqual([
      { action: "changeAddress", addressId: "a1", address: { key: "home", country: "DE", city: "Munich", streetName: "Side 2", mobile: "+4930111" } },
    ]);
  });

  it("adds an address, made the billing default, for a customer without one; refuses one without a country", () => {
    const bare = customer({ addresses: [], defaultBillingAddressId: undefined });
    expect(customerActions(bare, { "address.city": "Munich", "address.country": "DE" }, context)).toEqual([
      { action: "addAddress", address: { city: "Munich", country: "DE", key: "crm" } },
      { action: "setDefaultBillingAddress", addressKey: "crm" },
    ]);
    expect(() => customerActions(bare, { "address.city": "Munich" }, context)).toThrow(SyncError);
  });

  it("gives a customer without custom fields the type that holds ours, with the values set; sets and removes fields on one that has them", () => {
    expect(customerActions(customer(), { "custom.crmFollowUp": true, "custom.crmSegments": null }, context)).toEqual([
      { action: "setCustomType", type: { typeId: "type", key: "crm-sync-customer" }, fields: { crmFollowUp: true } },
    ]);
    const typed = customer({ custom: { type: { typeId: "type", id: "t1" }, fields: { crmFollowUp: true } } });
    expect(customerActions(typed, { "custom.crmFollowUp": null, "custom.crmSegments": null, "custom.crmOpenOpportunity": "open · 1.00 EUR" }, context)).toEqual([
      { action: "setCustomField", name: "crmFollowUp" },
      { action: "setCustomField", name: "crmOpenOpportunity", value: "open · 1.00 EUR" },
    ]);
    expect(() => customerActions(customer(), { "custom.crmFollowUp": true }, { ...context, typeKey: undefined })).toThrow(/postDeploy/);
  });

  it("writes consent with when and from where, and sets or clears the customer group by its resolved ID", () => {
    const typed = customer({ custom: { type: { typeId: "type", id: "t1" }, fields: {} } });
    expect(customerActions(typed, { "emailConsent.granted": false, customerGroup: "vip" }, { ...context, consent: { at: "2026-11-20T10:00:00.000Z", source: "crm:salesforce" } })).toEqual([
      { action: "setCustomField", name: "emailMarketingConsent", value: false },
      { action: "setCustomField", name: "emailMarketingConsentAt", value: "2026-11-20T10:00:00.000Z" },
      { action: "setCustomField", name: "emailMarketingConsentSource", value: "crm:salesforce" },
      { action: "setCustomerGroup", customerGroup: { typeId: "customer-group", id: "group-1" } },
    ]);
    expect(customerActions(typed, { customerGroup: null }, context)).toEqual([{ action: "setCustomerGroup" }]);
  });

  it("turns cart line changes into line item actions", () => {
    expect(cartLineActions([{ kind: "add", sku: "A", quantity: 2 }, { kind: "set", lineItemId: "l1", quantity: 3 }, { kind: "remove", lineItemId: "l2" }])).toEqual([
      { action: "addLineItem", sku: "A", quantity: 2 },
      { action: "changeLineItemQuantity", lineItemId: "l1", quantity: 3 },
      { action: "removeLineItem", lineItemId: "l2" },
    ]);
  });
});

describe("the type for records without custom fields", () => {
  const type = (key: string, names: string[]) => ({ key, fieldDefinitions: names.map((name) => ({ name })) }) as unknown as Type;
  it("prefers the merchant's type when it holds every field, else ours", () => {
    const ours = type(ownTypeKeys.customer, ["crmFollowUp", "crmSegments"]);
    const merchants = type("merchant", ["crmFollowUp", "crmSegments", "loyalty"]);
    expect(typeForNewFields([ours, merchants], "customer", ["crmFollowUp"])?.key).toBe("merchant");
    expect(typeForNewFields([ours, type("merchant", ["loyalty"])], "customer", ["crmFollowUp"])?.key).toBe(ownTypeKeys.customer);
    expect(typeForNewFields([type("merchant", ["loyalty"])], "customer", ["crmFollowUp"])).toBeUndefined();
  });
});
