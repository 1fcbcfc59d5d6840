/**
 * The custom fields ct-crm-sync writes in Freshsales, by module. Freshsales
 * has no API to create custom fields: the admin adds these (README.md lists
 * them) and `ensureSchema` checks they are there. The `cf_` names are what
 * Freshsales derives from the labels below.
 */
export type CustomFieldType = "text" | "textarea" | "number" | "checkbox" | "datetime";
export type CustomFieldSpec = { name: string; label: string; type: CustomFieldType; unique?: boolean };

const field = (name: string, label: string, type: CustomFieldType, unique?: boolean): CustomFieldSpec => (unique ? { name, label, type, unique } : { name, label, type });

export const contactIdField = "cf_ct_customer_id";
export const accountIdField = "cf_ct_business_unit_id";
export const dealIdField = "cf_ct_order_id";
/** A cart's deal is keyed by its deal key (`ct-cart-<cart ID>`): its own unique field, so cart deals never share a key with order deals. */
export const cartKeyField = "cf_ct_cart_key";
/** Where the cart stands for Sales: open, abandoned (still an open deal, flagged), won, lost. */
export const cartStatusField = "cf_ct_cart_status";
/** The commercetools order a won cart became: the order's own deal carries the same ID in `cf_ct_order_id`. */
export const cartOrderField = "cf_ct_cart_order_id";
/** Set by sales in Freshsales; read back by the inbound side. */
export const followUpField = "cf_ct_follow_up";

export const customFields = {
  contacts: [
    field(contactIdField, "ct customer id", "text", true),
    field("cf_ct_roles", "ct roles", "text"),
    field("cf_ct_locale", "ct locale", "text"),
    field("cf_ct_store_keys", "ct store keys", "text"),
    field("cf_ct_customer_group", "ct customer group", "text"),
    field("cf_ct_last_purchase_at", "ct last purchase at", "datetime"),
    field("cf_ct_order_count", "ct order count", "number"),
    field("cf_ct_lifetime_value", "ct lifetime value", "number"),
    field("cf_ct_currency", "ct currency", "text"),
    field("cf_ct_email_consent_at", "ct email consent at", "datetime"),
    field("cf_ct_sms_consent_at", "ct sms consent at", "datetime"),
    field(followUpField, "ct follow up", "checkbox"),
  ],
  sales_accounts: [
    field(accountIdField, "ct business unit id", "text", true),
    field("cf_ct_business_unit_key", "ct business unit key", "text"),
    field("cf_ct_unit_type", "ct unit type", "text"),
    field("cf_ct_store_keys", "ct store keys", "text"),
  ],
  deals: [
    field(dealIdField, "ct order id", "text", true),
    field("cf_ct_order_number", "ct order number", "text"),
    field("cf_ct_currency", "ct currency", "text"),
    field("cf_ct_order_state", "ct order state", "text"),
    field("cf_ct_payment_state", "ct payment state", "text"),
    field("cf_ct_shipment_state", "ct shipment state", "text"),
    field("cf_ct_line_summary", "ct line summary", "textarea"),
    field("cf_ct_ordered_at", "ct ordered at", "datetime"),
    field("cf_ct_store_key", "ct store key", "text"),
    field(cartKeyField, "ct cart key", "text", true),
    field(cartStatusField, "ct cart status", "text"),
    field(cartOrderField, "ct cart order id", "text"),
    field("cf_ct_cart_activity_at", "ct cart activity at", "datetime"),
  ],
} satisfies Record<string, CustomFieldSpec[]>;

export type Module = keyof typeof customFields;
