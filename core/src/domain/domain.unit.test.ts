import type { BusinessUnit, Customer, Order } from "@commercetools/platform-sdk";
import { describe, expect, it } from "vitest";
import {
  companyFromBusinessUnit,
  guestPersonFromOrder,
  orderActivityFromOrder,
  personFromCustomer,
} from "./commerce-mapping";
import { stableHash } from "./hash";
import { failureKey, guestSourceId, linkKey, orderActivityKey, safeKeyPart } from "./keys";
import { minimisePersonalData } from "./minimise";
import { formatMoney, toHundredths, toMajorUnits } from "./money";
import { normaliseEmail, normalisePhone, pickLocale } from "./normalise";
import { recordHash } from "../sync/record-writer";

const money = (centAmount: number, currencyCode = "EUR") => ({ type: "centPrecision" as const, centAmount, currencyCode, fractionDigits: 2 });

const customer = {
  id: "c-1",
  version: 7,
  email: "  Jane.Doe@Example.COM ",
  firstName: "Jane ",
  lastName: "Doe",
  addresses: [
    { id: "a-1", country: "DE", city: "Berlin", streetName: "Alexanderplatz", streetNumber: "1", postalCode: "10178", phone: "030 1234567" },
  ],
  defaultBillingAddressId: "a-1",
  stores: [{ typeId: "store", key: "berlin" }],
  custom: {
    type: { typeId: "type", id: "t" },
    fields: { emailMarketingConsent: true, emailMarketingConsentAt: "2026-11-01T09:00:00.000Z", emailMarketingConsentSource: "storefront" },
  },
} as unknown as Customer;

const order = {
  id: "o-1",
  version: 3,
  orderNumber: "SB-1",
  customerEmail: "Guest@Example.com",
  createdAt: "2026-11-20T10:00:00.000Z",
  totalPrice: money(3490),
  orderState: "Open",
  paymentState: "Paid",
  locale: "de-DE",
  store: { typeId: "store", key: "berlin" },
  billingAddress: { country: "DE", firstName: "Gus", lastName: "Guest" },
  lineItems: [
    { productId: "p1", name: { en: "Cup", "de-DE": "Tasse" }, variant: { sku: "CUP" }, quantity: 2, totalPrice: money(2000) },
    { productId: "p2", name: { en: "Beans" }, variant: { sku: "BEAN" }, quantity: 1, totalPrice: money(1490) },
  ],
  customLineItems: [],
} as unknown as Order;

describe("commercetools → canonical mapping", () => {
  it("maps a customer, normalising email and phone, and reading consent", () => {
    const person = personFromCustomer(customer, {
      stats: { orderCount: 2, totals: { EUR: { centAmount: 5000, fractionDigits: 2 } }, lastPurchaseAt: "2026-11-20T10:00:00.000Z" },
    });
    expect(person).toMatchObject({
      sourceId: "c-1",
      sourceVersion: 7,
      email: "jane.doe@example.com",
      firstName: "Jane",
      phone: "+49301234567",
      storeKeys: ["berlin"],
      emailConsent: { granted: true, at: "2026-11-01T09:00:00.000Z", source: "storefront" },
      lifetimeValue: { centAmount: 5000, currencyCode: "EUR" },
      orderCount: 2,
    });
    expect(person.address).toMatchObject({ streetLine: "Alexanderplatz 1", country: "DE" });
  });

  it("maps an order with a localised line summary and a deterministic activity key", () => {
    const activity = orderActivityFromOrder(order, { personSourceId: "c-1" });
    expect(activity.activityKey).toBe(orderActivityKey("o-1"));
    expect(activity.lineSummary).toBe("2 x Tasse (CUP) 20.00 EUR\n1 x Beans (BEAN) 14.90 EUR");
    expect(activity.total).toEqual({ centAmount: 3490, currencyCode: "EUR", fractionDigits: 2 });
    expect(activity.email).toBe("guest@example.com");
  });

  it("derives one stable guest identity from the normalised email", () => {
    const guest = guestPersonFromOrder(order, "guest@example.com");
    expect(guest.sourceId).toBe(guestSourceId("guest@example.com"));
    expect(guest).toMatchObject({ isGuest: true, firstName: "Gus", lastName: "Guest" });
    expect(guestPersonFromOrder({ ...order, id: "o-2" } as Order, "guest@example.com").sourceId).toBe(guest.sourceId);
  });

  it("maps a division with its parent's ID", () => {
    const unit = { id: "bu-2", version: 1, key: "acme-east", name: "ACME East", unitType: "Division", parentUnit: { typeId: "business-unit", key: "acme" }, addresses: [], associates: [] } as unknown as BusinessUnit;
    expect(companyFromBusinessUnit(unit, "bu-1")).toMatchObject({ sourceId: "bu-2", parentSourceId: "bu-1", unitType: "Division" });
  });
});

describe("hashing, keys, money, normalisation", () => {
  it("hashes equal data equally regardless of key order, and ignores the source version", () => {
    expect(stableHash({ a: 1, b: [1, { c: 2, d: undefined }] })).toBe(stableHash({ b: [1, { c: 2 }], a: 1 }));
    const person = personFromCustomer(customer);
    expect(recordHash(person)).toBe(recordHash({ ...person, sourceVersion: 99 }));
    expect(recordHash(person)).not.toBe(recordHash({ ...person, lastName: "Smith" }));
  });

  it("builds custom-object-safe keys without collisions", () => {
    expect(linkKey("default", "person", "c-1")).toBe("default_person_c-1");
    const a = safeKeyPart("a/b");
    const b = safeKeyPart("a:b");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[-_~.a-zA-Z0-9]+$/);
    expect(failureKey("x", "ct-to-crm", "order", "o-1")).toBe("x_ct-to-crm_order_o-1");
  });

  it("converts money units", () => {
    const m = { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 };
    expect(toMajorUnits(m)).toBe(123.45);
    expect(toHundredths(m)).toBe(12345);
    expect(toHundredths({ centAmount: 1234, currencyCode: "JPY", fractionDigits: 0 })).toBe(123400);
    expect(formatMoney(m)).toBe("123.45 EUR");
  });

  it("normalises or rejects contact data", () => {
    expect(normaliseEmail("not-an-email")).toBeUndefined();
    expect(normalisePhone("(617) 555-0100", "US")).toBe("+16175550100");
    expect(normalisePhone("12", "US")).toBeUndefined();
    expect(pickLocale({ en: "Cup", "de-DE": "Tasse" }, "de-AT")).toBe("Tasse");
    expect(pickLocale({ en: "Cup" }, "fr-FR")).toBe("Cup");
  });

  it("minimises personal data in stored payloads", () => {
    expect(minimisePersonalData({ email: "jane.doe@example.com", lastName: "Doe", nested: { phone: "+49301234567" }, total: 5 })).toEqual({
      email: "j***@example.com",
      lastName: "D.",
      nested: { phone: "***67" },
      total: 5,
    });
  });
});
