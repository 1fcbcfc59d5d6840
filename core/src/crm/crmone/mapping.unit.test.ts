import { describe, expect, it } from "vitest";
import type { CartDeal, Company, OrderActivity, OrderEvent, Person } from "../../domain/model";
import {
  accountData,
  categoriesFor,
  contactData,
  dealData,
  noteData,
  noteDescription,
  noteName,
  placeholderContactData,
  segmentsOf,
  timelineEntryData,
} from "./mapping";

/** A Berlin shopper who withdrew email consent, with a mapped lead source. */
const jane: Person = {
  kind: "person",
  sourceVersion: 3,
  sourceId: "cust-1",
  firstName: "Jane",
  lastName: "Doe",
  email: "jane@example.com",
  phone: "+4930123456",
  address: { streetLine: "Alexanderplatz 1", city: "Berlin", postalCode: "10178", region: "BE", country: "DE" },
  locale: "de-DE",
  storeKeys: ["berlin"],
  emailConsent: { granted: false, at: "2026-11-15T09:00:00.000Z", source: "unsubscribe-link" },
  smsConsent: { granted: true, at: "2026-11-01T09:00:00.000Z" },
  lastPurchaseAt: "2026-11-02T09:00:00.000Z",
  lifetimeValue: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 },
  orderCount: 3,
  extra: { lead_source: "Web" },
};

describe("CRM One mapping: contacts", () => {
  it("writes names, email1, the mobile phone, the primary address, consent, categories and our fields", () => {
    expect(contactData(jane)).toEqual({
      first_name: "Jane",
      last_name: "Doe",
      email1: "jane@example.com",
      phone_mobile: "+4930123456",
      primary_address_street: "Alexanderplatz 1",
      primary_address_city: "Berlin",
      primary_address_state: "BE",
      primary_address_postalcode: "10178",
      primary_address_countrycode: "DE",
      primary_address_country: "DE",
      categories: "store:berlin, locale:de-DE",
      email_opt_in: false,
      email_opt_out: true,
      email_opt_in_date: "2026-11-15T09:00:00.000Z",
      do_not_call: false,
      ct_customer_id: "cust-1",
      ct_last_purchase_date: "2026-11-02",
      ct_lifetime_value: 123.45,
      ct_lifetime_value_currency: "EUR",
      ct_order_count: 3,
      lead_source: "Web",
    });
  });

  it("gives an associate their work phone, roles and account, and a contact without last name the placeholder", () => {
    const associate: Person = { kind: "person", sourceId: "a-1", sourceVersion: 1, email: "a@acme.example", phone: "+16175550100", companySourceId: "bu-1", roles: ["buyer", "admin"] };
    expect(contactData(associate, { accountId: "acc-1" })).toEqual({
      last_name: "[not provided]",
      email1: "a@acme.example",
      phone_work: "+16175550100",
      primary_account_id: "acc-1",
      business_role: "buyer, admin",
      ct_customer_id: "a-1",
    });
    expect(placeholderContactData({ sourceId: "c-9", email: "c9@example.com" }, undefined)).toEqual({ last_name: "[not provided]", email1: "c9@example.com", ct_customer_id: "c-9" });
  });

  it("keeps the categories people gave the contact and replaces only our store and locale ones", () => {
    expect(categoriesFor(jane, "vip, store:boston, locale:en-US, wholesale")).toBe("vip, wholesale, store:berlin, locale:de-DE");
    expect(categoriesFor({ ...jane, storeKeys: [], locale: undefined }, "vip, store:boston")).toBe("vip");
    expect(categoriesFor({ ...jane, storeKeys: [], locale: undefined }, undefined)).toBeUndefined();
    expect(contactData(jane, { found: { categories: "vip" } }).categories).toBe("vip, store:berlin, locale:de-DE");
    expect(segmentsOf(" vip ,store:berlin, locale:de-DE,,wholesale")).toEqual(["vip", "wholesale"]);
  });

  it("leaves email consent alone when the contact holds a newer consent event, and writes an older one over", () => {
    const newerInCrm = { email_opt_out: false, email_opt_in_date: "2026-11-20T10:00:00.000Z" };
    const written = contactData(jane, { found: newerInCrm });
    expect(written).not.toHaveProperty("email_opt_out");
    expect(written).not.toHaveProperty("email_opt_in");
    expect(written).not.toHaveProperty("email_opt_in_date");
    // A mapped consent field yields as well.
    expect(contactData({ ...jane, extra: { email_opt_out: true } }, { found: newerInCrm })).not.toHaveProperty("email_opt_out");
    expect(contactData(jane, { found: { email_opt_out: false, email_opt_in_date: "2026-11-01T00:00:00.000Z" } })).toMatchObject({ email_opt_out: true, email_opt_in_date: "2026-11-15T09:00:00.000Z" });
    // Same time: the withdrawal the CRM holds wins over a grant.
    const grant = { ...jane, emailConsent: { granted: true, at: "2026-11-15T09:00:00.000Z" } };
    expect(contactData(grant, { found: { email_opt_out: true, email_opt_in_date: "2026-11-15T09:00:00.000Z" } })).not.toHaveProperty("email_opt_out");
  });
});

describe("CRM One mapping: accounts and order notes", () => {
  const unit: Company = { kind: "company", sourceId: "bu-2", sourceVersion: 1, key: "acme-east", name: "ACME East", unitType: "Division", parentSourceId: "bu-1", email: "east@acme.example", address: { city: "New York", country: "US" } };

  it("puts a division under its parent's account and clears a company's parent", () => {
    expect(accountData(unit, "acc-parent")).toEqual({
      name: "ACME East",
      parent_id: "acc-parent",
      email1: "east@acme.example",
      billing_address_city: "New York",
      billing_address_countrycode: "US",
      billing_address_country: "US",
      ct_business_unit_id: "bu-2",
      ct_business_unit_key: "acme-east",
    });
    expect(accountData({ ...unit, unitType: "Company", parentSourceId: undefined }, undefined).parent_id).toBe("");
  });

  const order: OrderActivity = {
    kind: "order",
    sourceId: "o-1",
    sourceVersion: 2,
    activityKey: "ct-order-o-1",
    orderNumber: "SB-1001",
    personSourceId: "cust-1",
    total: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 },
    orderState: "Open",
    paymentState: "Paid",
    createdAt: "2026-11-20T10:00:00.000Z",
    storeKey: "berlin",
    lines: [],
    lineSummary: "2 x Espresso cup (SKU-1) 20.00 EUR",
  };

  it("names an order's note by its key alone, and describes the order in labelled lines", () => {
    expect(noteName(order)).toBe("commercetools order ct-order-o-1");
    const { orderNumber: _number, ...withoutNumber } = order;
    expect(noteName(withoutNumber)).toBe(noteName(order));
    expect(noteDescription(order)).toBe(
      ["Order number: SB-1001", "Order ID: o-1", "Total: 123.45 EUR", "Order state: Open", "Payment state: Paid", "Ordered at: 2026-11-20T10:00:00.000Z", "Store: berlin", "", "2 x Espresso cup (SKU-1) 20.00 EUR"].join("\n"),
    );
  });

  it("hangs the note on the contact (with their account), else on the account", () => {
    expect(noteData(order, { contactId: "c-1", accountId: "a-1" })).toMatchObject({ parent_type: "Contacts", parent_id: "c-1", contact_id: "c-1", account_id: "a-1" });
    expect(noteData(order, { accountId: "a-1" })).toMatchObject({ parent_type: "Accounts", parent_id: "a-1", account_id: "a-1" });
    expect(noteData(order, { accountId: "a-1" })).not.toHaveProperty("contact_id");
  });
});

const cart: CartDeal = {
  kind: "deal",
  sourceId: "cart-1",
  sourceVersion: 4,
  dealKey: "ct-cart-cart-1",
  personSourceId: "cust-1",
  title: "Cart · 2 items · berlin",
  total: { centAmount: 4990, currencyCode: "EUR", fractionDigits: 2 },
  status: "open",
  lines: [],
  lineSummary: "2 x Mug (SKU-9) 49.90 EUR",
  storeKey: "berlin",
  lastActivityAt: "2026-11-20T10:00:00.000Z",
};
const where = { accountId: "acc-shoppers", contactId: "con-1" };

describe("CRM One mapping: cart opportunities", () => {
  it("writes an open cart at Prospecting, the amount in currency units, no flag and no order link", () => {
    expect(dealData(cart, where)).toMatchObject({
      name: "Cart · 2 items · berlin",
      account_id: "acc-shoppers",
      amount: 49.9,
      currency: "EUR",
      sales_stage: "Prospecting",
      probability: "10",
      date_closed: "2026-11-20",
      next_step: "",
      ct_deal_key: "ct-cart-cart-1",
      ct_customer_id: "cust-1",
      ct_contact_id: "con-1",
      ct_order_id: "",
      ct_order_note_id: "",
    });
  });

  it("flags an abandoned cart in next_step, still at an open stage, dated when it was flagged", () => {
    expect(dealData({ ...cart, status: "abandoned", statusAt: "2026-11-22T08:00:00.000Z" }, where)).toMatchObject({
      sales_stage: "Prospecting",
      next_step: "Follow up: abandoned cart",
      date_closed: "2026-11-22",
    });
  });

  it("closes a won cart with its order, and a lost one without", () => {
    const won = dealData({ ...cart, status: "won", statusAt: "2026-11-23T08:00:00.000Z", orderSourceId: "ord-1", orderNumber: "1234" }, { ...where, orderNoteId: "note-1" });
    expect(won).toMatchObject({ sales_stage: "Closed Won", probability: "100", date_closed: "2026-11-23", ct_order_id: "ord-1", ct_order_note_id: "note-1" });
    expect(won.description).toContain("Order number: 1234");
    expect(dealData({ ...cart, status: "lost", statusAt: "2026-11-23T08:00:00.000Z" }, where)).toMatchObject({ sales_stage: "Closed Lost", probability: "0", ct_order_id: "" });
  });
});

describe("CRM One mapping: order timeline tasks", () => {
  const refund: OrderEvent = {
    kind: "order-event",
    sourceId: "ct-order-ord-1-refunded-tx-1",
    orderSourceId: "ord-1",
    orderNumber: "1234",
    orderActivityKey: "ct-order-ord-1",
    type: "refunded",
    at: "2026-11-24T15:04:05.123Z",
    amount: { centAmount: 1234, currencyCode: "EUR", fractionDigits: 2 },
  };

  it("writes a completed task on the contact, titled with the order and amount, dated in 1CRM's form, keyed by the event", () => {
    expect(timelineEntryData(refund, { contactId: "con-1", accountId: "acc-1" })).toEqual({
      name: "Order 1234 refunded 12.34 EUR",
      status: "Completed",
      date_start: "2026-11-24 15:04:05",
      date_due: "2026-11-24 15:04:05",
      parent_type: "Contacts",
      parent_id: "con-1",
      contact_id: "con-1",
      account_id: "acc-1",
      description: "Event: refunded\nOrder number: 1234\nOrder ID: ord-1\nAmount: 12.34 EUR\nAt: 2026-11-24T15:04:05.123Z",
      ct_timeline_key: "ct-order-ord-1-refunded-tx-1",
    });
  });

  it("names the order by its ID without a number, and hangs on the account without a contact", () => {
    const shipped = timelineEntryData({ ...refund, type: "shipped", orderNumber: undefined, amount: undefined }, { accountId: "acc-1" });
    expect(shipped).toMatchObject({ name: "Order ord-1 shipped", parent_type: "Accounts", parent_id: "acc-1" });
  });
});
