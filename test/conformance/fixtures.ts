import type { CartDeal, Company, OrderActivity, OrderEvent, OrderEventType, Person } from "@ct-crm-sync/core/domain/model";
import { cartDealKey, orderActivityKey, orderEventKey } from "@ct-crm-sync/core/domain/keys";

export function person(sourceId: string, overrides: Partial<Person> = {}): Person {
  return {
    kind: "person",
    sourceId,
    sourceVersion: 1,
    email: `${sourceId}@example.com`,
    firstName: "Jane",
    lastName: `Doe-${sourceId}`,
    phone: "+4930123456",
    address: { streetLine: "Alexanderplatz 1", city: "Berlin", postalCode: "10178", country: "DE" },
    locale: "de-DE",
    storeKeys: ["berlin"],
    ...overrides,
  };
}

export function company(sourceId: string, overrides: Partial<Company> = {}): Company {
  return {
    kind: "company",
    sourceId,
    sourceVersion: 1,
    key: `key-${sourceId}`,
    name: `ACME ${sourceId}`,
    unitType: "Company",
    address: { streetLine: "Main St 1", city: "Boston", postalCode: "02110", country: "US" },
    ...overrides,
  };
}

export function order(sourceId: string, personSourceId: string, overrides: Partial<OrderActivity> = {}): OrderActivity {
  return {
    kind: "order",
    sourceId,
    sourceVersion: 1,
    activityKey: orderActivityKey(sourceId),
    orderNumber: `ON-${sourceId}`,
    personSourceId,
    email: `${personSourceId}@example.com`,
    total: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 },
    orderState: "Open",
    paymentState: "Pending",
    shipmentState: "Pending",
    createdAt: "2026-11-20T10:00:00.000Z",
    storeKey: "berlin",
    lines: [
      { sku: "SKU-1", name: "Espresso cup", quantity: 2, total: { centAmount: 2000, currencyCode: "EUR", fractionDigits: 2 } },
      { sku: "SKU-2", name: "Coffee grinder", quantity: 1, total: { centAmount: 10345, currencyCode: "EUR", fractionDigits: 2 } },
    ],
    lineSummary: "2 x Espresso cup (SKU-1) 20.00 EUR\n1 x Coffee grinder (SKU-2) 103.45 EUR",
    ...overrides,
  };
}

/** A cart of a known customer as an open deal, 2 lines, 123.45 EUR. */
export function deal(cartId: string, personSourceId: string, overrides: Partial<CartDeal> = {}): CartDeal {
  return {
    kind: "deal",
    sourceId: cartId,
    sourceVersion: 1,
    dealKey: cartDealKey(cartId),
    personSourceId,
    email: `${personSourceId}@example.com`,
    title: "Cart · 3 items · berlin",
    total: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 },
    status: "open",
    lines: [
      { sku: "SKU-1", name: "Espresso cup", quantity: 2, total: { centAmount: 2000, currencyCode: "EUR", fractionDigits: 2 } },
      { sku: "SKU-2", name: "Coffee grinder", quantity: 1, total: { centAmount: 10345, currencyCode: "EUR", fractionDigits: 2 } },
    ],
    lineSummary: "2 x Espresso cup (SKU-1) 20.00 EUR\n1 x Coffee grinder (SKU-2) 103.45 EUR",
    storeKey: "berlin",
    lastActivityAt: "2026-11-20T10:00:00.000Z",
    ...overrides,
  };
}

/** One transition of an order (`occurrence` for refunds and returns), keyed by `orderEventKey`. */
export function orderEvent(
  orderSourceId: string,
  personSourceId: string,
  type: OrderEventType,
  overrides: Partial<OrderEvent> & { occurrence?: string } = {},
): OrderEvent {
  const { occurrence, ...rest } = overrides;
  return {
    kind: "order-event",
    sourceId: orderEventKey(orderSourceId, type, occurrence),
    orderSourceId,
    orderNumber: `ON-${orderSourceId}`,
    orderActivityKey: orderActivityKey(orderSourceId),
    personSourceId,
    email: `${personSourceId}@example.com`,
    type,
    at: "2026-11-21T10:00:00.000Z",
    ...rest,
  };
}
