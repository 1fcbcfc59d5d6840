import type { ByProjectKeyRequestBuilder } from "@commercetools/platform-sdk";
import { randomUUID } from "node:crypto";
import type { Emulator } from "../emulator/emulator";
import type { FaultInjector } from "../simulators/shared/faults";

/**
 * Sandbox seed: two stores, a consent-bearing customer type, B2C customers, a
 * B2B company with a division and associates, orders (a customer's, a guest's,
 * a B2B one), a consent withdrawal, and an ambiguous email (two customers of
 * different stores sharing one address, then a guest order with it). Each write
 * goes through the emulator's HTTP API, so the relay turns it into messages
 * exactly as a real project would.
 */
export type SeededIds = {
  customers: Record<string, string>;
  businessUnits: Record<string, string>;
  orders: Record<string, string>;
};

const eur = (centAmount: number) => ({ type: "centPrecision" as const, currencyCode: "EUR", centAmount, fractionDigits: 2 });
const usd = (centAmount: number) => ({ type: "centPrecision" as const, currencyCode: "USD", centAmount, fractionDigits: 2 });

const products: [sku: string, name: string, cents: number][] = [
  ["CUP-ESP", "Espresso cup", 1000],
  ["GRIND-1", "Coffee grinder", 10345],
  ["BEAN-1KG", "Coffee beans 1kg", 2490],
  ["MACH-PRO", "Espresso machine Pro", 129900],
];

export async function seedProjectSetup(api: ByProjectKeyRequestBuilder): Promise<void> {
  for (const store of [
    { key: "berlin", name: { en: "Berlin" }, languages: ["de-DE", "en"] },
    { key: "boston", name: { en: "Boston" }, languages: ["en-US"] },
  ]) {
    await api.stores().post({ body: store }).execute();
  }
  await api
    .types()
    .post({
      body: {
        key: "crm-sync-customer",
        name: { en: "CRM sync customer fields" },
        resourceTypeIds: ["customer"],
        fieldDefinitions: [
          { name: "emailMarketingConsent", label: { en: "Email marketing consent" }, required: false, type: { name: "Boolean" } },
          { name: "emailMarketingConsentAt", label: { en: "Email consent changed at" }, required: false, type: { name: "DateTime" } },
          { name: "emailMarketingConsentSource", label: { en: "Email consent source" }, required: false, type: { name: "String" } },
        ],
      },
    })
    .execute();
  const { body: productType } = await api
    .productTypes()
    .post({ body: { key: "coffee-gear", name: "Coffee gear", description: "Sandbox products" } })
    .execute();
  for (const [sku, name, cents] of products) {
    await api
      .products()
      .post({
        body: {
          key: sku.toLowerCase(),
          productType: { typeId: "product-type", id: productType.id },
          name: { en: name, "de-DE": name },
          slug: { en: sku.toLowerCase() },
          masterVariant: { sku, prices: [{ value: eur(cents) }, { value: usd(cents) }] },
          publish: true,
        },
      })
      .execute();
  }
  for (const role of [
    { key: "buyer", name: "Buyer" },
    { key: "admin", name: "Admin" },
  ]) {
    await api.associateRoles().post({ body: { ...role, buyerAssignable: true, permissions: [] } }).execute();
  }
}

export async function createCustomer(
  api: ByProjectKeyRequestBuilder,
  draft: { email: string; firstName: string; lastName: string; store: string; country: string; phone?: string; consent?: boolean },
): Promise<string> {
  const { body } = await api
    .customers()
    .post({
      body: {
        email: draft.email,
        password: "sandbox-password",
        firstName: draft.firstName,
        lastName: draft.lastName,
        stores: [{ typeId: "store", key: draft.store }],
        addresses: [{ key: "home", country: draft.country, city: draft.country === "DE" ? "Berlin" : "Boston", streetName: "Main Street", streetNumber: "1", postalCode: draft.country === "DE" ? "10178" : "02110", phone: draft.phone }],
        defaultBillingAddress: 0,
        ...(draft.consent === undefined
          ? {}
          : {
              custom: {
                type: { typeId: "type", key: "crm-sync-customer" },
                fields: {
                  emailMarketingConsent: draft.consent,
                  emailMarketingConsentAt: "2026-11-01T09:00:00.000Z",
                  emailMarketingConsentSource: "storefront",
                },
              },
            }),
      },
    })
    .execute();
  return body.customer.id;
}

export async function importOrder(
  api: ByProjectKeyRequestBuilder,
  draft: { orderNumber: string; customerId?: string; email: string; store: string; currency: "EUR" | "USD"; businessUnitKey?: string; lines: { sku: string; name: string; quantity: number; cents: number }[] },
): Promise<string> {
  const money = draft.currency === "EUR" ? eur : usd;
  const total = draft.lines.reduce((sum, l) => sum + l.quantity * l.cents, 0);
  const { body } = await api
    .orders()
    .importOrder()
    .post({
      body: {
        orderNumber: draft.orderNumber,
        customerId: draft.customerId,
        customerEmail: draft.email,
        store: { typeId: "store", key: draft.store },
        totalPrice: money(total),
        orderState: "Open",
        paymentState: "Pending",
        shipmentState: "Pending",
        ...(draft.businessUnitKey ? { businessUnit: { typeId: "business-unit", key: draft.businessUnitKey } } : {}),
        billingAddress: { country: draft.currency === "EUR" ? "DE" : "US", firstName: "Guest", lastName: "Shopper" },
        lineItems: draft.lines.map((l) => ({
          productId: `product-${l.sku}`,
          name: { en: l.name },
          variant: { id: 1, sku: l.sku },
          price: { value: money(l.cents) },
          quantity: l.quantity,
          totalPrice: money(l.quantity * l.cents),
        })),
      } as never,
    })
    .execute();
  return body.id;
}

/**
 * A store-scoped customer whose email a customer of another store already has.
 * commercetools allows that for store-scoped customers; the emulator refuses it
 * over HTTP, so the twin is put in its storage, then renamed through the API so
 * the change reaches the event app like any other.
 */
async function createStoreScopedTwin(
  api: ByProjectKeyRequestBuilder,
  emulator: Emulator,
  draft: { email: string; firstName: string; lastName: string; store: string; country: string },
): Promise<string> {
  const id = randomUUID();
  const at = new Date().toISOString();
  await emulator.mock.project(emulator.projectKey).unsafeAdd("customer", {
    id,
    version: 1,
    createdAt: at,
    lastModifiedAt: at,
    email: draft.email,
    firstName: draft.firstName,
    lastName: "(registering)",
    addresses: [{ id: "home", key: "home", country: draft.country, city: "Boston", streetName: "Main Street", streetNumber: "1", postalCode: "02110" }],
    defaultBillingAddressId: "home",
    shippingAddressIds: [],
    billingAddressIds: [],
    isEmailVerified: false,
    stores: [{ typeId: "store", key: draft.store }],
    authenticationMode: "Password",
    customerGroupAssignments: [],
  } as never);
  await api.customers().withId({ ID: id }).post({ body: { version: 1, actions: [{ action: "setLastName", lastName: draft.lastName }] } }).execute();
  return id;
}

/**
 * `settled` resolves once every write so far has reached the CRM: the ambiguous
 * guest order must meet both of its candidates there, not race them.
 */
export async function seedSandbox(
  api: ByProjectKeyRequestBuilder,
  { emulator, settled }: { emulator: Emulator; settled: () => Promise<void> },
): Promise<SeededIds> {
  const ids: SeededIds = { customers: {}, businessUnits: {}, orders: {} };
  ids.customers.jane = await createCustomer(api, { email: "jane.doe@example.com", firstName: "Jane", lastName: "Doe", store: "berlin", country: "DE", phone: "030 1234567", consent: true });
  ids.customers.john = await createCustomer(api, { email: "john.smith@example.com", firstName: "John", lastName: "Smith", store: "boston", country: "US", consent: false });
  ids.customers.alice = await createCustomer(api, { email: "alice.buyer@acme.example", firstName: "Alice", lastName: "Buyer", store: "boston", country: "US" });
  ids.customers.bob = await createCustomer(api, { email: "bob.admin@acme.example", firstName: "Bob", lastName: "Admin", store: "boston", country: "US" });

  const { body: company } = await api
    .businessUnits()
    .post({
      body: {
        key: "acme",
        unitType: "Company",
        name: "ACME Corp",
        contactEmail: "purchasing@acme.example",
        storeMode: "Explicit",
        stores: [{ typeId: "store", key: "boston" }],
        addresses: [{ country: "US", city: "Boston", streetName: "Congress Street", streetNumber: "100", postalCode: "02110" }],
        associates: [{ customer: { typeId: "customer", id: ids.customers.bob }, associateRoleAssignments: [{ associateRole: { typeId: "associate-role", key: "admin" }, inheritance: "Enabled" }] }],
      },
    })
    .execute();
  ids.businessUnits.acme = company.id;
  const { body: division } = await api
    .businessUnits()
    .post({
      body: {
        key: "acme-east",
        unitType: "Division",
        name: "ACME East",
        parentUnit: { typeId: "business-unit", key: "acme" },
        storeMode: "FromParent",
        addresses: [{ country: "US", city: "New York", streetName: "Broadway", streetNumber: "1", postalCode: "10004" }],
        associates: [{ customer: { typeId: "customer", id: ids.customers.alice }, associateRoleAssignments: [{ associateRole: { typeId: "associate-role", key: "buyer" }, inheritance: "Enabled" }] }],
      },
    })
    .execute();
  ids.businessUnits.acmeEast = division.id;

  ids.orders.jane = await importOrder(api, {
    orderNumber: "SB-1001",
    customerId: ids.customers.jane,
    email: "jane.doe@example.com",
    store: "berlin",
    currency: "EUR",
    lines: [
      { sku: "CUP-ESP", name: "Espresso cup", quantity: 2, cents: 1000 },
      { sku: "GRIND-1", name: "Coffee grinder", quantity: 1, cents: 10345 },
    ],
  });
  ids.orders.guest = await importOrder(api, {
    orderNumber: "SB-1002",
    email: "guest.shopper@example.com",
    store: "berlin",
    currency: "EUR",
    lines: [{ sku: "BEAN-1KG", name: "Coffee beans 1kg", quantity: 3, cents: 2490 }],
  });
  // A consent change: Jane withdraws email marketing consent (a newer event than her sign-up grant).
  const { body: jane } = await api.customers().withId({ ID: ids.customers.jane }).get().execute();
  await api
    .customers()
    .withId({ ID: ids.customers.jane })
    .post({
      body: {
        version: jane.version,
        actions: [
          { action: "setCustomField", name: "emailMarketingConsent", value: false },
          { action: "setCustomField", name: "emailMarketingConsentAt", value: "2026-11-15T09:00:00.000Z" },
          { action: "setCustomField", name: "emailMarketingConsentSource", value: "unsubscribe-link" },
        ],
      },
    })
    .execute();
  ids.orders.acme = await importOrder(api, {
    orderNumber: "SB-1003",
    customerId: ids.customers.alice,
    email: "alice.buyer@acme.example",
    store: "boston",
    currency: "USD",
    businessUnitKey: "acme-east",
    lines: [{ sku: "MACH-PRO", name: "Espresso machine Pro", quantity: 5, cents: 129900 }],
  });
  // An ambiguous email: store-scoped customers of Berlin and Boston share one address,
  // then a guest orders with it. Never merged silently: the order waits for review.
  ids.customers.samBerlin = await createCustomer(api, { email: "sam.shared@example.com", firstName: "Sam", lastName: "Berlin", store: "berlin", country: "DE" });
  ids.customers.samBoston = await createStoreScopedTwin(api, emulator, { email: "sam.shared@example.com", firstName: "Sam", lastName: "Boston", store: "boston", country: "US" });
  await settled();
  ids.orders.ambiguousGuest = await importOrder(api, {
    orderNumber: "SB-1004",
    email: "Sam.Shared@example.com",
    store: "berlin",
    currency: "EUR",
    lines: [{ sku: "CUP-ESP", name: "Espresso cup", quantity: 6, cents: 1000 }],
  });
  return ids;
}

/**
 * One failed record for the MC app's failures page (`npm start` only; tests
 * make their own): Salesforce refuses the next Contact write once with a 400,
 * as a validation rule in an org would. A 400 is never retried by itself, so
 * the customer waits in the failure store as `open` until someone replays it;
 * the refusal is used up by then, and the replay writes the contact.
 */
export function seedFailure(api: ByProjectKeyRequestBuilder, salesforceFaults: Pick<FaultInjector, "arm">): Promise<string> {
  salesforceFaults.arm({ status: 400, times: 1, pathIncludes: "sobjects/Contact" });
  return createCustomer(api, { email: "rita.refused@example.com", firstName: "Rita", lastName: "Refused", store: "berlin", country: "DE" });
}
