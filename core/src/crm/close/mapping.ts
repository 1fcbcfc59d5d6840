import type { CanonicalRecord, Company, OrderActivity, Person, PostalAddress } from "../../domain/model";
import { toMajorUnits } from "../../domain/money";
import {
  abandonedStatusLabel,
  contactFields,
  customKey,
  dealFields,
  leadFields,
  orderActivityTypeName,
  orderEventActivityTypeName,
  orderEventFields,
  orderFields,
  type CloseSchema,
} from "./field-names";

/**
 * Canonical records → Close request bodies. Pure functions. Undefined values
 * are left out, so a PUT (a partial update in Close) never clears what the
 * canonical record simply does not carry.
 */
type Body = Record<string, unknown>;

export function compact(body: Body): Body {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/** A mapped field's target: a custom value under `custom.cf_<id>`, the key Close reads; standard fields are the adapter's own. */
export const customValueKey = /^custom\.cf_[A-Za-z0-9_-]+$/;

/** `extra` keys already in Close's form (`custom.cf_...`) pass through; others have no Close field to land in. */
function closeExtras(extra: Record<string, unknown> | undefined): Body {
  return Object.fromEntries(Object.entries(extra ?? {}).filter(([k]) => customValueKey.test(k)));
}

/** A string field of the first item of a Close list (`emails`, `phones`), e.g. the first email address. */
export function firstOf(list: unknown, key: string): string | undefined {
  const item: unknown = Array.isArray(list) ? list[0] : undefined;
  const value = item && typeof item === "object" ? (item as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" ? value : undefined;
}

export function fullName(person: Person): string | undefined {
  const name = [person.firstName, person.lastName].filter((p) => p && p.trim() !== "").join(" ");
  return name || person.email || undefined;
}

/** Canonical address fields and the names Close gives them, both ways. */
export const addressKeys = { streetLine: "address_1", city: "city", postalCode: "zipcode", region: "state", country: "country" } as const;

export function closeAddress(address: PostalAddress | undefined, label: string): Body[] | undefined {
  if (!address) return undefined;
  return [compact({ label: address.label ?? label, ...Object.fromEntries(Object.entries(addressKeys).map(([field, key]) => [key, address[field as keyof typeof addressKeys]])) })];
}

/** The contact: name, email, phone and the commercetools customer ID. */
export function contactBody(person: Person, schema: CloseSchema): Body {
  return compact({
    name: fullName(person),
    emails: person.email ? [{ type: "office", email: person.email }] : undefined,
    phones: person.phone ? [{ type: "office", phone: person.phone }] : undefined,
    [customKey(schema.contact.customerId)]: person.sourceId,
    [customKey(schema.contact.roles)]: person.roles && person.roles.length > 0 ? person.roles.join(", ") : undefined,
    ...closeExtras(person.extra),
  });
}

/** The lead of a B2C customer: named after them, carrying their ID and purchase figures. */
export function personLeadBody(person: Person, schema: CloseSchema): Body {
  return compact({
    name: fullName(person),
    addresses: closeAddress(person.address, "other"),
    [customKey(schema.lead.customerId)]: person.sourceId,
    [customKey(schema.lead.lastPurchaseDate)]: person.lastPurchaseAt?.slice(0, 10),
    [customKey(schema.lead.lifetimeValue)]: person.lifetimeValue ? toMajorUnits(person.lifetimeValue) : undefined,
    [customKey(schema.lead.currency)]: person.lifetimeValue?.currencyCode,
  });
}

/** The lead of a business unit. A Company clears any parent; a Division names its parent unit. */
export function companyLeadBody(company: Company, schema: CloseSchema, forCreate: boolean): Body {
  const parent = company.unitType === "Division" ? company.parentSourceId : undefined;
  return compact({
    name: company.name,
    addresses: closeAddress(company.address, "business"),
    [customKey(schema.lead.businessUnitId)]: company.sourceId,
    [customKey(schema.lead.businessUnitKey)]: company.key,
    // null unsets on update; on create there is nothing to unset.
    [customKey(schema.lead.parentBusinessUnitId)]: parent ?? (forCreate ? undefined : null),
    ...closeExtras(company.extra),
  });
}

/** A placeholder for a business unit not synced yet; its own sync fills in the rest. */
export function placeholderCompanyBody(sourceId: string, name: string | undefined, schema: CloseSchema): Body {
  return compact({ name: name ?? sourceId, [customKey(schema.lead.businessUnitId)]: sourceId });
}

/** The custom values of the order activity (shared by create and update). */
export function orderValues(order: OrderActivity, schema: CloseSchema): Body {
  const f = schema.order;
  return compact({
    [customKey(f.activityKey)]: order.activityKey,
    [customKey(f.orderId)]: order.sourceId,
    [customKey(f.orderNumber)]: order.orderNumber,
    [customKey(f.total)]: toMajorUnits(order.total),
    [customKey(f.currency)]: order.total.currencyCode,
    [customKey(f.orderState)]: order.orderState,
    [customKey(f.paymentState)]: order.paymentState,
    [customKey(f.shipmentState)]: order.shipmentState,
    [customKey(f.lineItems)]: order.lineSummary,
    ...closeExtras(order.extra),
  });
}

/** A new order activity, published (Close checks required fields then); its lead and contact are added by the writer. */
export function orderActivityBody(order: OrderActivity, schema: CloseSchema): Body {
  return { custom_activity_type_id: schema.orderActivityTypeId, status: "published", activity_at: order.createdAt, ...orderValues(order, schema) };
}

/** Our own fields under their names: their `cf_` IDs are known only once a connection has set them up. */
const byName = <D extends Record<string, { name: string }>>(fields: D) =>
  Object.fromEntries(Object.entries(fields).map(([key, f]) => [key, f.name])) as { [K in keyof D]: string };
export const namedSchema: CloseSchema = {
  lead: byName(leadFields),
  contact: byName(contactFields),
  order: byName(orderFields),
  orderActivityTypeId: orderActivityTypeName,
  deal: byName(dealFields),
  orderEvent: byName(orderEventFields),
  orderEventActivityTypeId: orderEventActivityTypeName,
  dealStatuses: { open: "Active", abandoned: abandonedStatusLabel, won: "Won", lost: "Lost" },
};

/**
 * The body Close would receive for a prepared record: a B2C person's lead
 * with its contact (created together), an associate's contact, a unit's lead,
 * an order's activity.
 */
export function previewBody(record: CanonicalRecord): Body {
  switch (record.kind) {
    case "person":
      return record.companySourceId ? contactBody(record, namedSchema) : { ...personLeadBody(record, namedSchema), contacts: [contactBody(record, namedSchema)] };
    case "company":
      return companyLeadBody(record, namedSchema, true);
    case "order":
      return orderActivityBody(record, namedSchema);
  }
}
