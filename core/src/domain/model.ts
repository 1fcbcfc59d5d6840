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

export type CanonicalRecord = Person | Company | OrderActivity;
export type EntityKind = CanonicalRecord["kind"];
