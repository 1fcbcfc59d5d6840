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

/** A cart's opportunity: its key, the customer and contact it is for, and the order it became. */
export const opportunityFields = {
  dealKey: "ct_deal_key",
  customerId: "ct_customer_id",
  contactId: "ct_contact_id",
  orderId: "ct_order_id",
  orderNoteId: "ct_order_note_id",
} as const;

/** An order's timeline entry (a completed task): its deterministic key. */
export const taskFields = { timelineKey: "ct_timeline_key" } as const;

/**
 * The 1CRM models each canonical entity lives in; orders are notes on the
 * contact (no SalesOrder, see README), carts opportunities, an order's
 * transitions completed tasks.
 */
export const models = { person: "Contact", company: "Account", order: "Note", deal: "Opportunity", timeline: "Task" } as const;

/** What the set-up check asks a model for: the filters (`filters[name]=value`) the writes find records by, and our custom fields. */
export type ModelSetup = { model: string; filters: string[]; customFields: string[] };

/** What every write needs: contacts, accounts and order notes. */
export const coreSetup: ModelSetup[] = [
  { model: models.person, filters: [contactFields.customerId, "email1"], customFields: Object.values(contactFields) },
  { model: models.company, filters: [accountFields.businessUnitId], customFields: Object.values(accountFields) },
  { model: models.order, filters: ["name"], customFields: [] },
];

/** What cart opportunities need on top (the shoppers' account is found by its name, a filter every instance has). */
export const dealSetup: ModelSetup[] = [{ model: models.deal, filters: [opportunityFields.dealKey], customFields: Object.values(opportunityFields) }];

/** What order timeline entries need on top. */
export const timelineSetup: ModelSetup[] = [{ model: models.timeline, filters: [taskFields.timelineKey], customFields: Object.values(taskFields) }];
