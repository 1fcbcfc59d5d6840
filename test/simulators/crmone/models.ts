/**
 * The models the simulator serves and the fields it knows of each: the
 * standard fields 1CRM has (a subset, by the names the 1CRM OpenAPI files
 * use) plus the custom fields an admin created (Module Designer). A field
 * nobody declared is refused, as an instance refuses a field it does not have.
 */
export type FieldType = "string" | "boolean" | "number" | "integer";

export type FieldSpec = {
  type: FieldType;
  /** Set by the CRM (IDs, timestamps, display names): refused in writes. */
  readOnly?: boolean;
};

export type ModelSpec = {
  fields: Record<string, FieldSpec>;
  /** Needed to create a record (the CRM's own rule; the simulator's assumption, see README). */
  requiredOnCreate: string[];
  /** Values every record starts with (the OpenAPI files list these as always present). */
  defaults: Record<string, string | boolean | number>;
  /** What a list returns when the request names no `fields[]`: ID and display fields. */
  listFields: string[];
  /** `filters[<name>]` the instance offers (admins enable more in Module Designer). */
  filters: string[];
};

const of = (type: FieldType, names: string[], readOnly = false): Record<string, FieldSpec> =>
  Object.fromEntries(names.map((name) => [name, readOnly ? { type, readOnly } : { type }]));

/** Every model carries these; the CRM sets them. */
const system = {
  ...of("string", ["id", "date_entered", "date_modified", "assigned_user", "modified_user_id", "created_by"], true),
  ...of("boolean", ["deleted"], true),
  ...of("string", ["assigned_user_id"]),
};

const address = (prefix: string) => of("string", ["street", "city", "state", "postalcode", "country", "statecode", "countrycode"].map((part) => `${prefix}_address_${part}`));

export const standardModels: Record<string, ModelSpec> = {
  Contact: {
    fields: {
      ...system,
      ...of("string", ["name", "primary_account", "_display"], true),
      ...of("string", ["salutation", "first_name", "last_name", "title", "department", "email1", "email2", "phone_mobile", "phone_work", "phone_home", "phone_other"]),
      ...of("string", ["primary_account_id", "categories", "business_role", "lead_source", "birthdate", "description", "email_opt_in_date", "last_activity_date"]),
      ...of("boolean", ["do_not_call", "email_opt_out", "email_opt_in", "portal_active", "invalid_email"]),
      ...address("primary"),
      ...address("alt"),
    },
    requiredOnCreate: ["last_name"],
    defaults: { assigned_user: "admin", assigned_user_id: "1", portal_active: false },
    listFields: ["id", "name", "first_name", "last_name", "salutation", "_display"],
    filters: ["first_name", "last_name", "email1", "primary_account_id"],
  },
  Account: {
    fields: {
      ...system,
      ...of("string", ["member_of", "_display"], true),
      ...of("string", ["name", "parent_id", "account_type", "industry", "email1", "phone_office", "website", "description"]),
      ...of("boolean", ["invalid_email", "email_opt_out"]),
      ...address("billing"),
      ...address("shipping"),
    },
    requiredOnCreate: ["name"],
    defaults: { assigned_user: "admin", assigned_user_id: "1", invalid_email: false, email_opt_out: false },
    listFields: ["id", "name", "_display"],
    filters: ["name", "parent_id", "account_type"],
  },
  Note: {
    fields: {
      ...system,
      ...of("string", ["parent", "contact", "account", "_display"], true),
      ...of("string", ["name", "parent_type", "parent_id", "contact_id", "account_id", "description"]),
      ...of("boolean", ["portal_flag", "email_attachment"]),
    },
    requiredOnCreate: ["name"],
    defaults: { assigned_user: "admin", assigned_user_id: "1", portal_flag: false, email_attachment: false },
    listFields: ["id", "name", "_display"],
    filters: ["name", "parent_id", "contact_id", "account_id"],
  },
  Opportunity: {
    fields: {
      ...system,
      ...of("string", ["account", "full_number", "opportunities_number", "_display"], true),
      ...of("string", ["name", "account_id", "currency", "currency_id", "exchange_rate", "forecast_category", "date_closed", "sales_stage", "probability"]),
      ...of("string", ["opportunity_type", "lead_source", "next_step", "description"]),
      ...of("number", ["amount", "amount_usdollar"]),
    },
    requiredOnCreate: ["name", "account_id", "amount", "date_closed", "sales_stage"],
    defaults: { assigned_user: "admin", assigned_user_id: "1", currency: "USD", currency_id: "-99", exchange_rate: "1", forecast_category: "Pipeline" },
    listFields: ["id", "name", "_display"],
    filters: ["account_id", "sales_stage", "name"],
  },
  Task: {
    fields: {
      ...system,
      ...of("string", ["parent", "contact", "account", "contact_phone", "contact_email", "_display"], true),
      ...of("string", ["name", "status", "priority", "date_start", "date_due", "parent_type", "parent_id", "contact_id", "account_id", "description"]),
      ...of("boolean", ["is_private"]),
    },
    requiredOnCreate: ["name"],
    defaults: { assigned_user: "admin", assigned_user_id: "1", status: "Not Started", priority: "Medium", is_private: false },
    listFields: ["id", "name", "_display"],
    filters: ["name", "status", "parent_id", "contact_id", "account_id"],
  },
};

/** What an admin of a shop syncing with ct-crm-sync sets up (core/src/crm/crmone/README.md): our custom fields, and filters on them. */
export type InstanceSetup = {
  customFields: Record<string, Record<string, FieldType>>;
  /** Further filters enabled in Module Designer, per model. */
  filters: Record<string, string[]>;
};

export const connectorSetup: InstanceSetup = {
  customFields: {
    Contact: {
      ct_customer_id: "string",
      ct_follow_up: "boolean",
      ct_last_purchase_date: "string",
      ct_lifetime_value: "number",
      ct_lifetime_value_currency: "string",
      ct_order_count: "integer",
    },
    Account: { ct_business_unit_id: "string", ct_business_unit_key: "string" },
    Opportunity: { ct_deal_key: "string", ct_customer_id: "string", ct_contact_id: "string", ct_order_id: "string", ct_order_note_id: "string" },
    Task: { ct_timeline_key: "string" },
  },
  filters: { Contact: ["ct_customer_id"], Account: ["ct_business_unit_id"], Opportunity: ["ct_deal_key"], Task: ["ct_timeline_key"] },
};

/** The instance's models: the standard ones with the admin's custom fields and filters added. */
export function instanceModels(setup: InstanceSetup): Record<string, ModelSpec> {
  return Object.fromEntries(
    Object.entries(standardModels).map(([name, spec]) => [
      name,
      {
        ...spec,
        fields: { ...spec.fields, ...Object.fromEntries(Object.entries(setup.customFields[name] ?? {}).map(([field, type]) => [field, { type }])) },
        filters: [...spec.filters, ...(setup.filters[name] ?? [])],
      },
    ]),
  );
}
