import type { CanonicalRecord, CartDeal, Company, ConsentState, OrderActivity, Person } from "../../domain/model";
import { toMajorUnits } from "../../domain/money";
import { accountIdField, cartKeyField, cartOrderField, cartStatusField, contactIdField, dealIdField } from "./fields";

/**
 * Canonical records → Freshsales request bodies, pure. Standard fields at
 * the top, custom fields under `custom_field`; undefined values are left out
 * (an upsert then keeps what Freshsales holds), null clears. The only place
 * that knows Freshsales' field names besides `fields.ts`.
 */
export type Body = Record<string, unknown>;

/** A record's Freshsales ID in a body: a number, or a description of it in a preview (where no ID is known). */
export type Ref = number | string;

/** Mapped targets: a standard field (`job_title`) or a custom field (`cf_loyalty_tier`), by API name. */
export const targetPattern = "^[a-z][a-z0-9_]*$";
const customTarget = /^cf_[a-z0-9_]+$/;

// Freshsales' text areas; a longer line summary is cut rather than refused.
const textAreaMax = 10_000;

export function compact(body: Body): Body {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/** Standard fields and custom fields (with mapped `extra` values sorted into the two). */
function withCustom(standard: Body, custom: Body, extra: Record<string, unknown> | undefined): Body {
  const mapped = Object.entries(extra ?? {});
  return compact({
    ...standard,
    ...Object.fromEntries(mapped.filter(([k]) => !customTarget.test(k))),
    custom_field: compact({ ...custom, ...Object.fromEntries(mapped.filter(([k]) => customTarget.test(k))) }),
  });
}

const joined = (values: string[] | undefined) => (values && values.length > 0 ? values.join(", ") : undefined);
const subscription = (consent: ConsentState | undefined) => (consent ? (consent.granted ? "Subscribed" : "Unsubscribed") : undefined);

export function contactBody(person: Person, account?: Ref): Body {
  const address = person.address;
  return withCustom(
    {
      first_name: person.firstName,
      last_name: person.lastName,
      email: person.email,
      work_number: person.phone,
      address: address?.streetLine,
      city: address?.city,
      state: address?.region,
      zipcode: address?.postalCode,
      country: address?.country,
      subscription_status: subscription(person.emailConsent),
      sms_subscription_status: subscription(person.smsConsent),
      sales_accounts: account === undefined ? undefined : [{ id: account, is_primary: true }],
    },
    {
      [contactIdField]: person.sourceId,
      cf_ct_roles: joined(person.roles),
      cf_ct_locale: person.locale,
      cf_ct_store_keys: joined(person.storeKeys),
      cf_ct_customer_group: person.customerGroupKey,
      cf_ct_last_purchase_at: person.lastPurchaseAt,
      cf_ct_order_count: person.orderCount,
      cf_ct_lifetime_value: person.lifetimeValue ? toMajorUnits(person.lifetimeValue) : undefined,
      cf_ct_currency: person.lifetimeValue?.currencyCode,
      cf_ct_email_consent_at: person.emailConsent?.at,
      cf_ct_sms_consent_at: person.smsConsent?.at,
    },
    person.extra,
  );
}

/** A Company clears any parent; a Division names its parent unit's account. */
export function salesAccountBody(company: Company, parent?: Ref): Body {
  const address = company.address;
  return withCustom(
    {
      name: company.name,
      address: address?.streetLine,
      city: address?.city,
      state: address?.region,
      zipcode: address?.postalCode,
      country: address?.country,
      parent_sales_account_id: company.unitType === "Division" ? parent : null,
    },
    { [accountIdField]: company.sourceId, cf_ct_business_unit_key: company.key, cf_ct_unit_type: company.unitType, cf_ct_store_keys: joined(company.storeKeys) },
    company.extra,
  );
}

/** Where an order's deal stands: paid is won, cancelled or money owed back (commercetools' nearest to refunded) is lost. */
export function dealOutcome(order: OrderActivity): "open" | "won" | "lost" {
  if (order.orderState === "Cancelled" || order.paymentState === "CreditOwed") return "lost";
  return order.paymentState === "Paid" ? "won" : "open";
}

/** The stages a closed deal moves to; an open deal keeps whatever stage sales gave it (a new one starts in the pipeline's first). */
export type ClosingStages = { won: Ref; lost: Ref };

export function dealBody(order: OrderActivity, links: { contact?: Ref | undefined; account?: Ref | undefined }, stages: ClosingStages): Body {
  const outcome = dealOutcome(order);
  return withCustom(
    {
      name: `Order ${order.orderNumber ?? order.sourceId}`,
      amount: toMajorUnits(order.total),
      deal_stage_id: outcome === "open" ? undefined : stages[outcome],
      contacts_added_list: links.contact === undefined ? undefined : [links.contact],
      sales_account_id: links.account,
    },
    {
      [dealIdField]: order.sourceId,
      cf_ct_order_number: order.orderNumber,
      cf_ct_currency: order.total.currencyCode,
      cf_ct_order_state: order.orderState,
      cf_ct_payment_state: order.paymentState,
      cf_ct_shipment_state: order.shipmentState,
      cf_ct_line_summary: order.lineSummary.slice(0, textAreaMax),
      cf_ct_ordered_at: order.createdAt,
      cf_ct_store_key: order.storeKey,
    },
    order.extra,
  );
}

/**
 * A cart's deal: named by the cart's title, its total as the amount, keyed
 * on `cf_ct_cart_key`. Won and lost move it to the closing stages; open and
 * abandoned leave the stage to sales (a new deal starts in the pipeline's
 * first), and `cf_ct_cart_status` says which of the two it is.
 */
export function cartDealBody(deal: CartDeal, links: { contact?: Ref | undefined; account?: Ref | undefined }, stages: ClosingStages): Body {
  return withCustom(
    {
      name: deal.title,
      amount: toMajorUnits(deal.total),
      deal_stage_id: deal.status === "won" || deal.status === "lost" ? stages[deal.status] : undefined,
      contacts_added_list: links.contact === undefined ? undefined : [links.contact],
      sales_account_id: links.account,
    },
    {
      [cartKeyField]: deal.dealKey,
      [cartStatusField]: deal.status,
      cf_ct_currency: deal.total.currencyCode,
      cf_ct_line_summary: deal.lineSummary.slice(0, textAreaMax),
      cf_ct_store_key: deal.storeKey,
      cf_ct_cart_activity_at: deal.lastActivityAt,
      [cartOrderField]: deal.orderSourceId,
      cf_ct_order_number: deal.orderNumber,
    },
    undefined,
  );
}

/** The body Freshsales would receive for a prepared record, IDs of linked records described rather than looked up. */
export function previewBody(record: CanonicalRecord): Body {
  switch (record.kind) {
    case "person":
      return contactBody(record, record.companySourceId ? `sales account of ${record.companySourceId}` : undefined);
    case "company":
      return salesAccountBody(record, record.parentSourceId ? `sales account of ${record.parentSourceId}` : undefined);
    case "order":
      return dealBody(
        record,
        { contact: record.personSourceId ? `contact of ${record.personSourceId}` : undefined, account: record.companySourceId ? `sales account of ${record.companySourceId}` : undefined },
        { won: "the pipeline's Won stage", lost: "the pipeline's Lost stage" },
      );
  }
}
