import type { Address, BusinessUnit, Customer, CustomFields, Order } from "@commercetools/platform-sdk";
import { guestSourceId, orderActivityKey } from "./keys";
import type { Company, ConsentState, Money, OrderActivity, OrderLine, Person, PostalAddress, PurchaseStats } from "./model";
import { formatMoney } from "./money";
import { normaliseEmail, normalisePhone, pickLocale } from "./normalise";

/**
 * commercetools resources → canonical records. Pure: the caller reads the
 * resources; these functions only reshape them.
 */

export type MappingOptions = {
  /** Locale for localised values (product names), with fallback. */
  locale?: string;
};

function postalAddress(address: Address | undefined): PostalAddress | undefined {
  if (!address) return undefined;
  const streetLine = [address.streetName, address.streetNumber].filter(Boolean).join(" ") || undefined;
  return {
    label: address.key ?? undefined,
    streetLine,
    city: address.city,
    postalCode: address.postalCode,
    region: address.region ?? address.state,
    country: address.country,
  };
}

/** Raw custom fields for the mapping configuration; left out when there are none (no hash change for plain records). */
function customOf(custom: CustomFields | undefined): { custom?: Record<string, unknown> } {
  const fields = custom?.fields;
  return fields && Object.keys(fields).length > 0 ? { custom: { ...fields } } : {};
}

function defaultAddress(addresses: Address[], defaultId?: string): Address | undefined {
  return addresses.find((a) => a.id === defaultId) ?? addresses[0];
}

/**
 * Consent is kept in customer custom fields `<prefix>Consent` (boolean),
 * `<prefix>ConsentAt` (date-time) and `<prefix>ConsentSource` (text).
 */
function consent(fields: CustomFields | undefined, prefix: "emailMarketing" | "smsMarketing"): ConsentState | undefined {
  const values = fields?.fields ?? {};
  const granted = values[`${prefix}Consent`];
  if (typeof granted !== "boolean") return undefined;
  const at = values[`${prefix}ConsentAt`];
  const source = values[`${prefix}ConsentSource`];
  return {
    granted,
    at: typeof at === "string" ? at : "1970-01-01T00:00:00.000Z",
    ...(typeof source === "string" ? { source } : {}),
  };
}

function lifetimeValue(stats: PurchaseStats | undefined, preferredCurrency?: string): Money | undefined {
  if (!stats) return undefined;
  const currencies = Object.keys(stats.totals);
  const currency = preferredCurrency && stats.totals[preferredCurrency] ? preferredCurrency : currencies[0];
  if (!currency) return undefined;
  const total = stats.totals[currency]!;
  return { centAmount: total.centAmount, currencyCode: currency, fractionDigits: total.fractionDigits };
}

export type PersonContext = {
  stats?: PurchaseStats;
  company?: { sourceId: string; name: string; roles: string[] };
};

export function personFromCustomer(customer: Customer, context: PersonContext = {}): Person {
  const address = defaultAddress(customer.addresses, customer.defaultBillingAddressId ?? customer.defaultShippingAddressId);
  const country = address?.country;
  return {
    kind: "person",
    sourceId: customer.id,
    sourceVersion: customer.version,
    email: normaliseEmail(customer.email),
    firstName: customer.firstName?.trim() || undefined,
    lastName: customer.lastName?.trim() || undefined,
    phone: normalisePhone(address?.mobile ?? address?.phone, country),
    companySourceId: context.company?.sourceId,
    companyName: context.company?.name ?? customer.companyName ?? undefined,
    roles: context.company?.roles,
    address: postalAddress(address),
    locale: customer.locale ?? undefined,
    storeKeys: customer.stores?.map((s) => s.key),
    customerGroupKey: customer.customerGroup?.obj?.key,
    isGuest: false,
    emailConsent: consent(customer.custom, "emailMarketing"),
    smsConsent: consent(customer.custom, "smsMarketing"),
    lastPurchaseAt: context.stats?.lastPurchaseAt,
    lifetimeValue: lifetimeValue(context.stats),
    orderCount: context.stats?.orderCount,
    ...customOf(customer.custom),
  };
}

/** A guest checkout: a person known only by the order's email and addresses. */
export function guestPersonFromOrder(order: Order, email: string): Person {
  const address = order.billingAddress ?? order.shippingAddress;
  return {
    kind: "person",
    sourceId: guestSourceId(email),
    sourceVersion: order.version,
    email,
    firstName: address?.firstName?.trim() || undefined,
    lastName: address?.lastName?.trim() || undefined,
    phone: normalisePhone(address?.mobile ?? address?.phone, address?.country),
    address: postalAddress(address),
    locale: order.locale ?? undefined,
    storeKeys: order.store ? [order.store.key] : undefined,
    isGuest: true,
  };
}

/** `parentId` is the parent unit's ID (the unit itself only names its parent by key). */
export function companyFromBusinessUnit(unit: BusinessUnit, parentId?: string): Company {
  const address = defaultAddress(unit.addresses, unit.defaultBillingAddressId ?? unit.defaultShippingAddressId);
  return {
    kind: "company",
    sourceId: unit.id,
    sourceVersion: unit.version,
    key: unit.key,
    name: unit.name,
    unitType: unit.unitType,
    parentSourceId: unit.unitType === "Division" ? parentId : undefined,
    email: normaliseEmail(unit.contactEmail),
    address: postalAddress(address),
    storeKeys: unit.stores?.map((s) => s.key),
    ...customOf(unit.custom),
  };
}

export function money(value: { centAmount: number; currencyCode: string; fractionDigits: number }): Money {
  return { centAmount: value.centAmount, currencyCode: value.currencyCode, fractionDigits: value.fractionDigits };
}

/** The lines of an order or a cart (the same line items either way). */
export function orderLines(order: Pick<Order, "lineItems" | "customLineItems" | "locale">, options: MappingOptions = {}): OrderLine[] {
  const lines: OrderLine[] = order.lineItems.map((item) => ({
    sku: item.variant?.sku,
    name: pickLocale(item.name, options.locale ?? order.locale) ?? item.productId,
    quantity: item.quantity,
    total: money(item.totalPrice),
  }));
  for (const item of order.customLineItems ?? []) {
    lines.push({
      sku: item.slug,
      name: pickLocale(item.name, options.locale ?? order.locale) ?? item.slug,
      quantity: item.quantity,
      total: money(item.totalPrice),
    });
  }
  return lines;
}

export function lineSummary(lines: OrderLine[]): string {
  return lines
    .map((line) => `${line.quantity} x ${line.name}${line.sku ? ` (${line.sku})` : ""} ${formatMoney(line.total)}`)
    .join("\n");
}

export function orderActivityFromOrder(
  order: Order,
  related: { personSourceId?: string; companySourceId?: string },
  options: MappingOptions = {},
): OrderActivity {
  const lines = orderLines(order, options);
  return {
    kind: "order",
    sourceId: order.id,
    sourceVersion: order.version,
    activityKey: orderActivityKey(order.id),
    orderNumber: order.orderNumber,
    personSourceId: related.personSourceId,
    companySourceId: related.companySourceId,
    email: normaliseEmail(order.customerEmail),
    total: money(order.totalPrice),
    orderState: order.orderState,
    paymentState: order.paymentState,
    shipmentState: order.shipmentState,
    createdAt: order.createdAt,
    storeKey: order.store?.key,
    lines,
    lineSummary: lineSummary(lines),
    ...(order.locale ? { locale: order.locale } : {}),
    ...((order.billingAddress ?? order.shippingAddress)?.country ? { country: (order.billingAddress ?? order.shippingAddress)!.country } : {}),
    ...customOf(order.custom),
  };
}
