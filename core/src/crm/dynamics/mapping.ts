import { createHash } from "node:crypto";
import type { CanonicalRecord, Company, OrderActivity, Person, PostalAddress } from "../../domain/model";
import { toMajorUnits } from "../../domain/money";
import { byKey } from "./odata";

/**
 * Canonical people, companies and orders → Dataverse columns (carts' are in
 * deals.ts, order transitions' in order-events.ts); the admin creates the ct_
 * ones (README.md lists them). Absent
 * canonical values are left out (an upsert keeps what the org has); `extra`
 * values (the mapping configuration's) are sent as given, null clears.
 */
export type DataverseRow = Record<string, unknown>;

/** Where each canonical kind lives: entity set, primary key, and the alternate key holding the commercetools ID. */
export const tables = {
  contact: { entitySet: "contacts", primaryKey: "contactid", key: "ct_customerid" },
  account: { entitySet: "accounts", primaryKey: "accountid", key: "ct_businessunitid" },
  // The table's logical name is ct_commerceorder: a table named ct_order would have the primary key ct_orderid.
  order: { entitySet: "ct_orders", primaryKey: "ct_commerceorderid", key: "ct_orderid" },
  note: { entitySet: "annotations", primaryKey: "annotationid" },
  /** A cart's opportunity, keyed by its deal key (`ct-cart-<cart ID>`). */
  deal: { entitySet: "opportunities", primaryKey: "opportunityid", key: "ct_dealkey" },
  currency: { entitySet: "transactioncurrencies", primaryKey: "transactioncurrencyid", key: "isocurrencycode" },
} as const;

/** Columns whose length the org limits and we cut rather than have a record refused (a summary, a name). */
const lengths = { orderName: 100, lineSummary: 4000 };

const defined = (row: DataverseRow): DataverseRow => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined));

const joinList = (values: string[] | undefined) => (values && values.length > 0 ? values.join(";") : undefined);

export const contactOf = (sourceId: string) => byKey(tables.contact.entitySet, tables.contact.key, sourceId);
export const accountOf = (sourceId: string) => byKey(tables.account.entitySet, tables.account.key, sourceId);
export const orderOf = (sourceId: string) => byKey(tables.order.entitySet, tables.order.key, sourceId);

function address1(a: PostalAddress | undefined): DataverseRow {
  if (!a) return {};
  return { address1_line1: a.streetLine, address1_city: a.city, address1_postalcode: a.postalCode, address1_stateorprovince: a.region, address1_country: a.country };
}

/** The contact of a customer or associate; an associate is linked to its business unit's account. */
export function contactBody(p: Person): DataverseRow {
  return defined({
    firstname: p.firstName,
    lastname: p.lastName,
    emailaddress1: p.email,
    telephone1: p.phone,
    ...address1(p.address),
    ...(p.companySourceId ? { "parentcustomerid_account@odata.bind": accountOf(p.companySourceId) } : {}),
    ct_roles: joinList(p.roles),
    ct_locale: p.locale,
    ct_storekeys: joinList(p.storeKeys),
    ct_customergroup: p.customerGroupKey,
    // Dataverse keeps an opt-out for bulk email; when it changed is ours to keep.
    donotbulkemail: p.emailConsent ? !p.emailConsent.granted : undefined,
    ct_emailconsentat: p.emailConsent?.at,
    ct_smsconsent: p.smsConsent?.granted,
    ct_smsconsentat: p.smsConsent?.at,
    ct_lastpurchasedate: p.lastPurchaseAt?.slice(0, 10),
    ct_ordercount: p.orderCount,
    ct_lifetimevalue: p.lifetimeValue ? toMajorUnits(p.lifetimeValue) : undefined,
    ct_lifetimevaluecurrency: p.lifetimeValue?.currencyCode,
    ...p.extra,
  });
}

/** The account of a business unit; a division points at its parent unit's account, so the hierarchy mirrors the tree. */
export function accountBody(c: Company): DataverseRow {
  return defined({
    name: c.name,
    emailaddress1: c.email,
    ...address1(c.address),
    ...(c.parentSourceId && c.parentSourceId !== c.sourceId ? { "parentaccountid@odata.bind": accountOf(c.parentSourceId) } : {}),
    ct_businessunitkey: c.key,
    ct_unittype: c.unitType,
    ct_storekeys: joinList(c.storeKeys),
    ...c.extra,
  });
}

/** The order's row in ct_orders, linked to its contact and account. */
export function orderBody(o: OrderActivity): DataverseRow {
  return defined({
    ct_name: (o.orderNumber ?? o.sourceId).slice(0, lengths.orderName),
    ct_ordernumber: o.orderNumber,
    ...(o.personSourceId ? { "ct_contactid@odata.bind": contactOf(o.personSourceId) } : {}),
    ...(o.companySourceId ? { "ct_accountid@odata.bind": accountOf(o.companySourceId) } : {}),
    ct_total: toMajorUnits(o.total),
    ct_currency: o.total.currencyCode,
    ct_orderstate: o.orderState,
    ct_paymentstate: o.paymentState,
    ct_shipmentstate: o.shipmentState,
    ct_linesummary: o.lineSummary.slice(0, lengths.lineSummary),
    ct_orderedat: o.createdAt,
    ct_storekey: o.storeKey,
    ...o.extra,
  });
}

/** A name-based GUID (the UUID version 5 layout over SHA-1): the same name gives the same record ID every time. */
export function stableGuid(name: string): string {
  const bytes = createHash("sha1").update(`ct-crm-sync:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The columns a prepared record would be written as (the mapping preview). */
export function previewBody(record: CanonicalRecord): DataverseRow {
  return record.kind === "person" ? contactBody(record) : record.kind === "company" ? accountBody(record) : orderBody(record);
}
