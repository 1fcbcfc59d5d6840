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
  ],
} satisfies Record<string, CustomFieldSpec[]>;

export type Module = keyof typeof customFields;
