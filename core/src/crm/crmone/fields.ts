/**
 * What an instance must have for ct-crm-sync (README.md, "Set-up"): the
 * custom fields we write, by model, and the list filters we find records by.
 * The names are the ones an admin types in 1CRM's Module Designer.
 */
export const contactFields = {
  customerId: "ct_customer_id",
  followUp: "ct_follow_up",
  lastPurchaseDate: "ct_last_purchase_date",
  lifetimeValue: "ct_lifetime_value",
  lifetimeValueCurrency: "ct_lifetime_value_currency",
  orderCount: "ct_order_count",
} as const;

export const accountFields = {
  businessUnitId: "ct_business_unit_id",
  businessUnitKey: "ct_business_unit_key",
} as const;

/** The 1CRM models each canonical entity lives in; orders are notes on the contact (no SalesOrder, see README). */
export const models = { person: "Contact", company: "Account", order: "Note", deal: "Opportunity" } as const;

/** The filters (`filters[name]=value`) the writes find records by, per model. */
export const requiredFilters: Record<string, string[]> = {
  [models.person]: [contactFields.customerId, "email1"],
  [models.company]: [accountFields.businessUnitId],
  [models.order]: ["name"],
};

/** The custom fields per model; the set-up check asks for each of them. */
export const customFields: Record<string, string[]> = {
  [models.person]: Object.values(contactFields),
  [models.company]: Object.values(accountFields),
};
