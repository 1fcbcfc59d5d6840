import { mergeConsent } from "../../domain/consent";
import type { CanonicalRecord, CartDeal, CartDealStatus, Company, ConsentState, OrderActivity, OrderEvent, Person, PostalAddress } from "../../domain/model";
import { formatMoney, toMajorUnits } from "../../domain/money";
import { accountFields, contactFields, opportunityFields, taskFields } from "./fields";

/**
 * Canonical records → 1CRM record data (the only place that knows 1CRM's
 * field names). Pure. Absent canonical values are left out, so an update
 * (PATCH, partial) keeps what the instance holds; `extra` (mapped fields)
 * is written as given.
 */
export type RecordData = Record<string, unknown>;

const compact = (data: RecordData): RecordData => Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));

/** A mapped field's target: a 1CRM field name as Module Designer spells them (lower case, underscores). */
export const fieldNamePattern = "^[a-z][a-z0-9_]*$";

/**
 * 1CRM (like the SugarCRM it descends from) needs a contact's last name;
 * commercetools does not (email-only sign-ups, guests). Without one we send
 * this, the placeholder Salesforce's own Web-to-Lead uses.
 */
const lastNamePlaceholder = "[not provided]";

/** 1CRM's address field suffixes and the canonical address parts they hold (writing and reading back). */
export const addressParts = [
  ["street", "streetLine"],
  ["city", "city"],
  ["state", "region"],
  ["postalcode", "postalCode"],
  // ISO alpha-2 in both: the code field is the ISO one, the text one is what people see.
  ["countrycode", "country"],
  ["country", "country"],
] as const satisfies readonly (readonly [string, keyof PostalAddress])[];

function address(prefix: "primary" | "billing", a: PostalAddress | undefined): RecordData {
  return a ? Object.fromEntries(addressParts.map(([suffix, part]) => [`${prefix}_address_${suffix}`, a[part]])) : {};
}

/**
 * Store and locale context as categories we own (`store:berlin`,
 * `locale:de-DE`), next to whatever categories people gave the contact in
 * the CRM (segments such as `vip`), which are kept as they are.
 */
export const ownCategoryPrefixes = ["store:", "locale:"] as const;
const isOwnCategory = (category: string) => ownCategoryPrefixes.some((prefix) => category.startsWith(prefix));

export function splitCategories(value: unknown): string[] {
  return typeof value === "string" ? value.split(",").map((c) => c.trim()).filter((c) => c !== "") : [];
}

export function categoriesFor(person: Person, current: unknown): string | undefined {
  const ours = [...(person.storeKeys ?? []).map((key) => `store:${key}`), ...(person.locale ? [`locale:${person.locale}`] : [])];
  const theirs = splitCategories(current).filter((c) => !isOwnCategory(c));
  const all = [...theirs, ...ours];
  // Nothing of ours and nothing there: leave the field alone.
  return all.length === 0 && current === undefined ? undefined : all.join(", ");
}

/** The categories people set in the CRM: the contact's segments. */
export const segmentsOf = (categories: unknown): string[] => splitCategories(categories).filter((c) => !isOwnCategory(c));

/** The email consent a contact holds: the opt-out flag and the time of the event it records. */
export function heldEmailConsent(contact: RecordData): ConsentState | undefined {
  const at = typeof contact.email_opt_in_date === "string" && contact.email_opt_in_date !== "" ? contact.email_opt_in_date : undefined;
  if (at === undefined || typeof contact.email_opt_out !== "boolean") return undefined;
  return { granted: !contact.email_opt_out, at };
}

const emailConsentFields = ["email_opt_in", "email_opt_out", "email_opt_in_date"] as const;

/**
 * Consent as 1CRM keeps it: `email_opt_in` / `email_opt_out` and the time of
 * the consent event in `email_opt_in_date` (1CRM has no separate opt-out
 * date); `do_not_call` for SMS/phone.
 */
function consentData(person: Person): RecordData {
  const email = person.emailConsent;
  return {
    ...(email ? { email_opt_in: email.granted, email_opt_out: !email.granted, email_opt_in_date: email.at } : {}),
    do_not_call: person.smsConsent ? !person.smsConsent.granted : undefined,
  };
}

/**
 * The CRM enforces consent for campaigns: an email consent event the contact
 * holds that is newer than ours (recorded in the CRM) is never overwritten.
 */
function crmHoldsNewerConsent(person: Person, found: RecordData | undefined): boolean {
  return person.emailConsent !== undefined && found !== undefined && mergeConsent(heldEmailConsent(found), person.emailConsent).kept === "previous";
}

/** What the writer knows beyond the person: the account of their business unit, and the contact as found (categories, consent). */
export type ContactContext = { accountId?: string | undefined; found?: RecordData | undefined };

export function contactData(person: Person, context: ContactContext = {}): RecordData {
  const data = compact({
    first_name: person.firstName,
    last_name: person.lastName?.trim() ? person.lastName : lastNamePlaceholder,
    email1: person.email,
    // An associate's phone is their work phone; a shopper's their mobile.
    [person.companySourceId ? "phone_work" : "phone_mobile"]: person.phone,
    ...address("primary", person.address),
    primary_account_id: context.accountId,
    business_role: person.roles && person.roles.length > 0 ? person.roles.join(", ") : undefined,
    categories: categoriesFor(person, context.found?.categories ?? undefined),
    ...consentData(person),
    [contactFields.customerId]: person.sourceId,
    [contactFields.lastPurchaseDate]: person.lastPurchaseAt?.slice(0, 10),
    [contactFields.lifetimeValue]: person.lifetimeValue ? toMajorUnits(person.lifetimeValue) : undefined,
    [contactFields.lifetimeValueCurrency]: person.lifetimeValue?.currencyCode,
    [contactFields.orderCount]: person.orderCount,
    ...person.extra,
  });
  // Mapped consent fields (the default mapping names them) yield too.
  if (crmHoldsNewerConsent(person, context.found)) for (const field of emailConsentFields) delete data[field];
  return data;
}

/** A contact for a customer not synced yet (an order came first): their ID, email and unit; their own sync fills in the rest. */
export function placeholderContactData(placeholder: Pick<Person, "sourceId" | "email">, accountId: string | undefined): RecordData {
  return compact({ last_name: lastNamePlaceholder, email1: placeholder.email, primary_account_id: accountId, [contactFields.customerId]: placeholder.sourceId });
}

/** A business unit's account. A Company has no parent (cleared); a Division sits under its parent's account. */
export function accountData(company: Company, parentAccountId: string | undefined): RecordData {
  return compact({
    name: company.name,
    parent_id: company.unitType === "Division" ? parentAccountId : "",
    email1: company.email,
    ...address("billing", company.address),
    [accountFields.businessUnitId]: company.sourceId,
    [accountFields.businessUnitKey]: company.key,
    ...company.extra,
  });
}

/** An account for a unit not synced yet (an associate or a division came first); its own sync fills in the rest. */
export function placeholderAccountData(sourceId: string, name: string | undefined): RecordData {
  return { name: name ?? sourceId, [accountFields.businessUnitId]: sourceId };
}

/**
 * The order's note is found by its name, which only the order decides: one
 * note per order however often it is written (the number may come later;
 * the key never changes).
 */
export const noteName = (order: Pick<OrderActivity, "activityKey">) => `commercetools order ${order.activityKey}`;

/** The order as people read it on the contact's timeline; the conformance inspector reads the same lines back. */
export function noteDescription(order: OrderActivity): string {
  const lines = [
    ["Order number", order.orderNumber],
    ["Order ID", order.sourceId],
    ["Total", `${toMajorUnits(order.total).toFixed(order.total.fractionDigits)} ${order.total.currencyCode}`],
    ["Order state", order.orderState],
    ["Payment state", order.paymentState],
    ["Shipment state", order.shipmentState],
    ["Ordered at", order.createdAt],
    ["Store", order.storeKey],
  ].flatMap(([label, value]) => (value ? [`${label}: ${value}`] : []));
  return [...lines, "", order.lineSummary].join("\n");
}

/** Where the note hangs: the customer's contact (with their unit's account), else the unit's account. */
export type NoteTarget = { contactId?: string | undefined; accountId?: string | undefined };

export function noteData(order: OrderActivity, target: NoteTarget): RecordData {
  return compact({
    name: noteName(order),
    parent_type: target.contactId ? "Contacts" : "Accounts",
    parent_id: target.contactId ?? target.accountId,
    contact_id: target.contactId,
    account_id: target.accountId,
    description: noteDescription(order),
    ...order.extra,
  });
}

/** `2026-01-02T03:04:05.678Z` → `2026-01-02 03:04:05`: 1CRM's date-time form (UTC). */
export const crmOneDateTime = (instant: string) => new Date(instant).toISOString().slice(0, 19).replace("T", " ");

/**
 * 1CRM's sales stages (its `sales_stage` dropdown, from SugarCRM) for a
 * cart's opportunity, and the probability 1CRM pairs with each. An
 * abandoned cart stays at the open stage: what flags it for Sales is
 * `next_step` (`abandonedNextStep`), which is cleared when the cart is active again.
 */
export const dealStages: Record<CartDealStatus, { stage: string; probability: string }> = {
  open: { stage: "Prospecting", probability: "10" },
  abandoned: { stage: "Prospecting", probability: "10" },
  won: { stage: "Closed Won", probability: "100" },
  lost: { stage: "Closed Lost", probability: "0" },
};

export const abandonedNextStep = "Follow up: abandoned cart";

/** Where a cart's opportunity hangs: the account (the unit's, else the shoppers' one), the contact, the order's note once won. */
export type DealTarget = { accountId: string; contactId?: string | undefined; orderNoteId?: string | undefined };

/** The cart as Sales reads it on the opportunity: its lines, and the order it became. */
export function dealDescription(deal: CartDeal): string {
  const lines = [
    ["Cart ID", deal.sourceId],
    ["Store", deal.storeKey],
    ["Last activity", deal.lastActivityAt],
    ["Order number", deal.orderNumber],
    ["Order ID", deal.orderSourceId],
  ].flatMap(([label, value]) => (value ? [`${label}: ${value}`] : []));
  return [...lines, "", deal.lineSummary].join("\n");
}

/**
 * A cart's opportunity: the amount in currency units (1CRM's `amount`), the
 * currency's ISO code, the stage for its status, the expected close date (the
 * day it was won, lost or flagged; an open cart's last activity), and our
 * keys. Every field is written each time, so a write never leaves a stale
 * flag or order link behind.
 */
export function dealData(deal: CartDeal, target: DealTarget): RecordData {
  const { stage, probability } = dealStages[deal.status];
  const closed = deal.status === "won" || deal.status === "lost";
  return compact({
    name: deal.title,
    account_id: target.accountId,
    amount: toMajorUnits(deal.total),
    currency: deal.total.currencyCode,
    sales_stage: stage,
    probability,
    date_closed: ((closed || deal.status === "abandoned") && deal.statusAt ? deal.statusAt : deal.lastActivityAt).slice(0, 10),
    next_step: deal.status === "abandoned" ? abandonedNextStep : "",
    description: dealDescription(deal),
    [opportunityFields.dealKey]: deal.dealKey,
    [opportunityFields.customerId]: deal.personSourceId ?? "",
    [opportunityFields.contactId]: target.contactId ?? "",
    [opportunityFields.orderId]: deal.status === "won" ? (deal.orderSourceId ?? "") : "",
    [opportunityFields.orderNoteId]: deal.status === "won" ? (target.orderNoteId ?? "") : "",
  });
}

/** "Order 1234 paid", "Order 1234 refunded 12.34 EUR": what the contact's history shows. */
export function timelineTitle(event: OrderEvent): string {
  const amount = event.amount && event.type !== "shipped" ? ` ${formatMoney(event.amount)}` : "";
  return `Order ${event.orderNumber ?? event.orderSourceId} ${event.type}${amount}`;
}

/** The entry's details in labelled lines; the conformance inspector reads them back. */
export function timelineDescription(event: OrderEvent): string {
  return [
    ["Event", event.type],
    ["Order number", event.orderNumber],
    ["Order ID", event.orderSourceId],
    ["Amount", event.amount ? formatMoney(event.amount) : undefined],
    ["At", event.at],
    ["Detail", event.detail],
  ]
    .flatMap(([label, value]) => (value ? [`${label}: ${value}`] : []))
    .join("\n");
}

/** One transition of an order: a completed task dated when it happened, on the contact (and the unit's account), keyed by the event's key. */
export function timelineEntryData(event: OrderEvent, target: NoteTarget): RecordData {
  const at = crmOneDateTime(event.at);
  return compact({
    name: timelineTitle(event),
    status: "Completed",
    date_start: at,
    date_due: at,
    parent_type: target.contactId ? "Contacts" : "Accounts",
    parent_id: target.contactId ?? target.accountId,
    contact_id: target.contactId,
    account_id: target.accountId,
    description: timelineDescription(event),
    [taskFields.timelineKey]: event.sourceId,
  });
}

/** What the instance would receive for a prepared record (the mapping preview); IDs of other records are resolved when writing. */
export function previewData(record: CanonicalRecord): RecordData {
  switch (record.kind) {
    case "person":
      return contactData(record);
    case "company":
      return accountData(record, undefined);
    case "order":
      return noteData(record, {});
  }
}
