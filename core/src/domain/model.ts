/**
 * The canonical model: what a CRM adapter receives, whatever the CRM.
 * Every record carries the commercetools ID it came from (`sourceId`), which
 * adapters turn into the CRM's external ID, so every write is an upsert.
 */

export type Money = {
  /** Amount in the currency's minor unit (cents), as commercetools stores it. */
  centAmount: number;
  currencyCode: string;
  fractionDigits: number;
};

export type PostalAddress = {
  label?: string;
  streetLine?: string;
  city?: string;
  postalCode?: string;
  region?: string;
  /** ISO 3166-1 alpha-2 */
  country?: string;
};

export type ConsentState = {
  granted: boolean;
  /** ISO timestamp of the consent event, the tie-breaker between deliveries. */
  at: string;
  source?: string;
};

export type Person = {
  kind: "person";
  sourceId: string;
  sourceVersion: number;
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  /** Source ID of the company (business unit) this person belongs to, if any. */
  companySourceId?: string;
  companyName?: string;
  roles?: string[];
  address?: PostalAddress;
  locale?: string;
  storeKeys?: string[];
  customerGroupKey?: string;
  isGuest?: boolean;
  emailConsent?: ConsentState;
  smsConsent?: ConsentState;
  lastPurchaseAt?: string;
  lifetimeValue?: Money;
  orderCount?: number;
  /** Extra mapped fields addressed by CRM field name (custom fields). */
  extra?: Record<string, string | number | boolean | null>;
  /** Raw commercetools custom fields, read by the mapping configuration (`custom.<name>`) and dropped before writing. */
  custom?: Record<string, unknown>;
};

export type Company = {
  kind: "company";
  sourceId: string;
  sourceVersion: number;
  key: string;
  name: string;
  unitType: "Company" | "Division";
  parentSourceId?: string;
  email?: string;
  address?: PostalAddress;
  storeKeys?: string[];
  extra?: Record<string, string | number | boolean | null>;
  /** Raw commercetools custom fields, read by the mapping configuration (`custom.<name>`) and dropped before writing. */
  custom?: Record<string, unknown>;
};

export type OrderLine = {
  sku?: string;
  name: string;
  quantity: number;
  /** Line total price. */
  total: Money;
};

export type OrderActivity = {
  kind: "order";
  sourceId: string;
  sourceVersion: number;
  /** Deterministic key of the timeline entry: same order, same key, one activity. */
  activityKey: string;
  orderNumber?: string;
  personSourceId?: string;
  companySourceId?: string;
  email?: string;
  total: Money;
  orderState: string;
  paymentState?: string;
  shipmentState?: string;
  createdAt: string;
  storeKey?: string;
  lines: OrderLine[];
  /** Human-readable one-line-per-item summary, for CRMs without line items. */
  lineSummary: string;
  /** Order locale and billing country: segmentation facts and locale picks. */
  locale?: string;
  country?: string;
  extra?: Record<string, string | number | boolean | null>;
  /** Raw commercetools custom fields, read by the mapping configuration (`custom.<name>`) and dropped before writing. */
  custom?: Record<string, unknown>;
};

/** A customer's orders summed up, as read from commercetools. */
export type PurchaseStats = {
  orderCount: number;
  /** Sum of order totals per currency code, in the currency's minor unit. */
  totals: Record<string, { centAmount: number; fractionDigits: number }>;
  lastPurchaseAt?: string;
};

/**
 * Where a cart stands for Sales: `open` (active or frozen at checkout),
 * `abandoned` (still open in the CRM, flagged for follow-up after the
 * configured idle time), `won` (it became an order), `lost` (deleted or
 * merged without an order).
 */
export type CartDealStatus = "open" | "abandoned" | "won" | "lost";

/** An active cart of a known customer or business unit, as an open opportunity/deal in the CRM. */
export type CartDeal = {
  kind: "deal";
  /** The commercetools cart ID. */
  sourceId: string;
  sourceVersion: number;
  /** Deterministic key of the CRM record: same cart, same key, one opportunity (`cartDealKey`). */
  dealKey: string;
  personSourceId?: string;
  companySourceId?: string;
  email?: string;
  /** A short name for the pipeline, e.g. "Cart · 3 items · store-de" (no personal data). */
  title: string;
  total: Money;
  status: CartDealStatus;
  lines: OrderLine[];
  lineSummary: string;
  storeKey?: string;
  /** The cart's last change (the idle clock for `abandoned`). */
  lastActivityAt: string;
  /** When it was won, lost or flagged abandoned. */
  statusAt?: string;
  /** For `won`: the order the cart became (its CRM order record is linked through it). */
  orderSourceId?: string;
  orderNumber?: string;
};

/** Transitions of an order's life, each one timeline entry in the CRM. */
export type OrderEventType = "paid" | "shipped" | "canceled" | "refunded" | "returned";

/**
 * One transition of an order, derived from the order's current state (never
 * from the message that announced it), written once per `sourceId`.
 */
export type OrderEvent = {
  kind: "order-event";
  /** Deterministic key of the timeline entry (`orderEventKey`): one entry however often it is derived. */
  sourceId: string;
  orderSourceId: string;
  orderNumber?: string;
  /** The order's own timeline record in the CRM (`orderActivityKey`), for CRMs that attach entries to it. */
  orderActivityKey: string;
  personSourceId?: string;
  companySourceId?: string;
  email?: string;
  type: OrderEventType;
  /** When it happened (transaction or return date; the order's change time when commercetools keeps none). */
  at: string;
  /** The money it concerns (the refund, the paid total), in the currency's minor unit. */
  amount?: Money;
  /** A short, non-personal description (e.g. "2 items returned", "tracking 1Z…"). */
  detail?: string;
};

export type CanonicalRecord = Person | Company | OrderActivity;
export type EntityKind = CanonicalRecord["kind"];

/**
 * An order transition as the write path keeps it: a fact, written once and
 * never superseded, so every derivation of it has the same version (0).
 */
export type TimelineEntry = OrderEvent & { sourceVersion: 0 };

/**
 * Everything the one write path (`writeRecords`) writes and links: the mapped
 * records (`CanonicalRecord`, which the mapping configuration applies to),
 * cart deals and order timeline entries.
 */
export type WrittenRecord = CanonicalRecord | CartDeal | TimelineEntry;
export type WrittenKind = WrittenRecord["kind"];
