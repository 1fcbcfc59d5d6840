import fc from "fast-check";
import type { BusinessUnit, Customer, Order } from "@commercetools/platform-sdk";
import { describe, expect, it } from "vitest";
import { companyFromBusinessUnit, guestPersonFromOrder, orderActivityFromOrder, personFromCustomer } from "./commerce-mapping";
import { stableHash } from "./hash";
import { guestSourceId, orderActivityKey } from "./keys";
import { normaliseEmail } from "./normalise";

/** Resources as the platform types allow them: free text wherever the type says string. */
const text = fc.oneof(fc.string(), fc.constantFrom("", "  ", " Ann ", "ÄÖÜ ß", "a@b.co", " X@Y.ORG ", "+49 30 1234567", "030 1234567"));
const optionalText = fc.option(text, { nil: undefined });
const address = fc.record({
  id: optionalText,
  key: optionalText,
  country: fc.oneof(fc.constantFrom("DE", "US", "GB", "de"), fc.string()),
  streetName: optionalText,
  streetNumber: optionalText,
  postalCode: optionalText,
  city: optionalText,
  region: optionalText,
  state: optionalText,
  phone: optionalText,
  mobile: optionalText,
  firstName: optionalText,
  lastName: optionalText,
});
const customFields = fc.option(
  fc.record({
    type: fc.constant({ typeId: "type" as const, id: "t" }),
    fields: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.constant(null))),
  }),
  { nil: undefined },
);
const money = fc.record({
  type: fc.constant("centPrecision" as const),
  centAmount: fc.integer({ min: -1e9, max: 1e9 }),
  currencyCode: fc.oneof(fc.constantFrom("EUR", "USD", "JPY"), fc.string()),
  fractionDigits: fc.integer({ min: 0, max: 4 }),
});
const customer = fc.record({
  id: fc.string({ minLength: 1 }),
  version: fc.nat(),
  email: text,
  firstName: optionalText,
  lastName: optionalText,
  companyName: optionalText,
  locale: optionalText,
  addresses: fc.array(address, { maxLength: 3 }),
  defaultBillingAddressId: optionalText,
  stores: fc.array(fc.record({ typeId: fc.constant("store"), key: fc.string() }), { maxLength: 2 }),
  custom: customFields,
}) as unknown as fc.Arbitrary<Customer>;
const lineItem = fc.record({
  productId: fc.string(),
  name: fc.dictionary(fc.constantFrom("en", "de", "en-US", "fr"), fc.string()),
  variant: fc.record({ id: fc.nat(), sku: optionalText }),
  quantity: fc.nat(),
  totalPrice: money,
});
const order = fc.record({
  id: fc.string({ minLength: 1 }),
  version: fc.nat(),
  orderNumber: optionalText,
  customerId: optionalText,
  customerEmail: optionalText,
  locale: optionalText,
  totalPrice: money,
  orderState: fc.constantFrom("Open", "Confirmed", "Complete", "Cancelled"),
  paymentState: fc.option(fc.constantFrom("Pending", "Paid"), { nil: undefined }),
  shipmentState: fc.option(fc.constantFrom("Pending", "Shipped"), { nil: undefined }),
  createdAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  lineItems: fc.array(lineItem, { maxLength: 4 }),
  customLineItems: fc.array(fc.record({ slug: fc.string(), name: fc.dictionary(fc.string(), fc.string()), quantity: fc.nat(), totalPrice: money }), { maxLength: 2 }),
  billingAddress: fc.option(address, { nil: undefined }),
  shippingAddress: fc.option(address, { nil: undefined }),
  store: fc.option(fc.record({ typeId: fc.constant("store"), key: fc.string() }), { nil: undefined }),
  custom: customFields,
}) as unknown as fc.Arbitrary<Order>;
const unit = fc.record({
  id: fc.string({ minLength: 1 }),
  version: fc.nat(),
  key: fc.string(),
  name: fc.string(),
  unitType: fc.constantFrom("Company", "Division"),
  contactEmail: optionalText,
  addresses: fc.array(address, { maxLength: 2 }),
  stores: fc.option(fc.array(fc.record({ typeId: fc.constant("store"), key: fc.string() })), { nil: undefined }),
  custom: customFields,
}) as unknown as fc.Arbitrary<BusinessUnit>;

const frozenCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("commercetools → canonical mapping (properties)", () => {
  it("normaliseEmail is idempotent and yields only trimmed lower-case addresses", () => {
    fc.assert(
      fc.property(text, (raw) => {
        const email = normaliseEmail(raw);
        expect(normaliseEmail(email)).toBe(email);
        if (email !== undefined) {
          expect(email).toBe(email.trim().toLowerCase());
          expect(email).toMatch(/^[^\s@]+@[^\s@]+\.[^\s@]+$/);
        }
      }),
    );
  });

  it("a customer maps without throwing, deterministically, without touching the input, to normalised values", () => {
    fc.assert(
      fc.property(customer, (c) => {
        const before = frozenCopy(c);
        const person = personFromCustomer(c);
        expect(c).toEqual(before);
        expect(stableHash(personFromCustomer(frozenCopy(c)))).toBe(stableHash(person));
        expect(person).toMatchObject({ kind: "person", sourceId: c.id, sourceVersion: c.version, isGuest: false });
        expect(person.email).toBe(normaliseEmail(c.email));
        for (const name of [person.firstName, person.lastName]) {
          if (name !== undefined) expect(name).toBe(name.trim()), expect(name.length).toBeGreaterThan(0);
        }
        if (person.phone !== undefined) expect(person.phone).toMatch(/^\+\d{4,15}$/);
      }),
      { numRuns: 300 },
    );
  });

  it("an order maps to one activity per order, its lines summarised one per line, whatever the order holds", () => {
    fc.assert(
      fc.property(order, fc.option(fc.string(), { nil: undefined }), (o, locale) => {
        const activity = orderActivityFromOrder(o, { personSourceId: o.customerId }, { locale });
        expect(activity).toMatchObject({ kind: "order", sourceId: o.id, sourceVersion: o.version, activityKey: orderActivityKey(o.id) });
        expect(activity.total.centAmount).toBe(o.totalPrice.centAmount);
        expect(activity.lines).toHaveLength(o.lineItems.length + (o.customLineItems?.length ?? 0));
        expect(activity.lineSummary.split("\n")).toHaveLength(Math.max(1, activity.lines.length));
        expect(activity.email).toBe(normaliseEmail(o.customerEmail));
      }),
      { numRuns: 300 },
    );
  });

  it("a guest is the same person for the same email, whichever order names them", () => {
    fc.assert(
      fc.property(order, order, fc.emailAddress(), (a, b, raw) => {
        const email = normaliseEmail(raw);
        fc.pre(email !== undefined);
        const first = guestPersonFromOrder(a, email!);
        const second = guestPersonFromOrder(b, email!);
        expect(first.sourceId).toBe(second.sourceId);
        expect(first.sourceId).toBe(guestSourceId(email!));
        expect(first).toMatchObject({ kind: "person", isGuest: true, email });
      }),
      { numRuns: 200 },
    );
  });

  it("a business unit maps without throwing; only divisions name a parent", () => {
    fc.assert(
      fc.property(unit, fc.option(fc.string({ minLength: 1 }), { nil: undefined }), (u, parentId) => {
        const company = companyFromBusinessUnit(u, parentId);
        expect(company).toMatchObject({ kind: "company", sourceId: u.id, key: u.key, name: u.name });
        expect(company.parentSourceId).toBe(u.unitType === "Division" ? parentId : undefined);
        expect(company.email).toBe(normaliseEmail(u.contactEmail));
      }),
      { numRuns: 200 },
    );
  });
});
