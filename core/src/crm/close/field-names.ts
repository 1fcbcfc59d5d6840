/**
 * Custom fields the adapter owns in Close, by name. They are found by name
 * (created when missing), so renaming one in Close makes the adapter create a
 * fresh one: the names are part of the contract with the Close admin.
 */
export const leadFields = {
  customerId: { name: "ct_customer_id", type: "text" },
  businessUnitId: { name: "ct_business_unit_id", type: "text" },
  businessUnitKey: { name: "ct_business_unit_key", type: "text" },
  parentBusinessUnitId: { name: "ct_parent_business_unit_id", type: "text" },
  lastPurchaseDate: { name: "ct_last_purchase_date", type: "date" },
  /** Major units (e.g. 123.45): a Close number field holds decimals; only opportunity `value` is in cents. */
  lifetimeValue: { name: "ct_lifetime_value", type: "number" },
  currency: { name: "ct_currency", type: "text" },
  /** The lead's order IDs, one a line: activities are not searchable, so reconciliation finds an order's lead by this. */
  orderIds: { name: "ct_order_ids", type: "textarea" },
} as const;

export const contactFields = {
  customerId: { name: "ct_customer_id", type: "text" },
  roles: { name: "ct_roles", type: "text" },
} as const;

export const orderActivityTypeName = "commercetools Order";

export const orderFields = {
  activityKey: { name: "ct_activity_key", type: "text" },
  orderId: { name: "ct_order_id", type: "text" },
  orderNumber: { name: "ct_order_number", type: "text" },
  /** Major units, like the lead's lifetime value (see above). */
  total: { name: "ct_order_total", type: "number" },
  currency: { name: "ct_currency", type: "text" },
  orderState: { name: "ct_order_state", type: "text" },
  paymentState: { name: "ct_payment_state", type: "text" },
  shipmentState: { name: "ct_shipment_state", type: "text" },
  lineItems: { name: "ct_line_items", type: "textarea" },
} as const;

/** A cart's opportunity: its deal key (`ct-cart-<id>`), and for a won cart the order it became. */
export const dealFields = {
  dealKey: { name: "ct_deal_key", type: "text" },
  orderId: { name: "ct_order_id", type: "text" },
  orderNumber: { name: "ct_order_number", type: "text" },
} as const;

/** The opportunity status an abandoned cart's opportunity moves to: of type active, so it stays open in the pipeline. */
export const abandonedStatusLabel = "Abandoned cart";

export const orderEventActivityTypeName = "commercetools Order event";

/** One transition of an order's life (paid, shipped, …) on the timeline. */
export const orderEventFields = {
  eventKey: { name: "ct_event_key", type: "text" },
  orderId: { name: "ct_order_id", type: "text" },
  eventType: { name: "ct_event_type", type: "text" },
  summary: { name: "ct_summary", type: "text" },
  /** Major units, like the order total. */
  amount: { name: "ct_amount", type: "number" },
  currency: { name: "ct_currency", type: "text" },
} as const;

type Definitions = Record<string, { name: string; type: string }>;
/** Logical name → Close custom field ID (`cf_...`). */
export type FieldIds<D extends Definitions> = { [K in keyof D]: string };

export type CloseSchema = {
  lead: FieldIds<typeof leadFields>;
  contact: FieldIds<typeof contactFields>;
  order: FieldIds<typeof orderFields>;
  orderActivityTypeId: string;
  deal: FieldIds<typeof dealFields>;
  orderEvent: FieldIds<typeof orderEventFields>;
  orderEventActivityTypeId: string;
  /** Opportunity status IDs for each state of a cart (one pipeline: the org's first). */
  dealStatuses: Record<"open" | "abandoned" | "won" | "lost", string>;
};

/** The `custom.cf_X` key Close reads and writes custom values under. */
export const customKey = (fieldId: string) => `custom.${fieldId}`;
