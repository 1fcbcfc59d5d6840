import type { BusinessUnit, BusinessUnitUpdateAction, Cart, CartDraft, CartUpdateAction, Customer, CustomerDraft, CustomerUpdateAction, Order, Payment, Type } from "@commercetools/platform-sdk";
import type { PurchaseStats } from "../domain/model";
import type { Predicate } from "./predicate";

export type CommerceResource = {
  customer: Customer;
  "business-unit": BusinessUnit;
  order: Order;
  cart: Cart;
  payment: Payment;
};
export type CommerceTypeId = keyof CommerceResource;

/** Read side of commercetools, as the sync use cases need it. */
export interface CommerceReader {
  get<T extends CommerceTypeId>(typeId: T, id: string): Promise<CommerceResource[T] | undefined>;
  /** Many resources of one type by ID (one `id in` query per 100 IDs); missing ones are absent from the map. */
  getMany<T extends CommerceTypeId>(typeId: T, ids: string[]): Promise<Map<string, CommerceResource[T]>>;
  businessUnitByKey(key: string): Promise<BusinessUnit | undefined>;
  /** Business units that list this customer as an associate. */
  businessUnitsOfAssociate(customerId: string): Promise<BusinessUnit[]>;
  purchaseStats(customerId: string): Promise<PurchaseStats>;
  /** Batch forms (optional): one query for many customers, so a page costs O(1) calls, not O(page). */
  purchaseStatsMany?(customerIds: string[]): Promise<Map<string, PurchaseStats>>;
  businessUnitsOfAssociates?(customerIds: string[]): Promise<Map<string, BusinessUnit[]>>;
  /** The order each cart became (by the order's `cart` reference), one query per 100 carts; carts never ordered are absent. */
  ordersOfCarts(cartIds: string[]): Promise<Map<string, Order>>;
  /** The orders that list these payments (`paymentInfo.payments`), one query per 100 payments. */
  ordersOfPayments(paymentIds: string[]): Promise<Order[]>;
}

/** Where a page of a delta read ended: the last record's modification time and ID. */
export type PagePosition = { lastModifiedAt: string; id: string };

export type PageQuery = {
  /** Records after this position (exclusive); from the beginning when absent. */
  after?: PagePosition;
  /** Records modified up to this instant (inclusive): the run's upper bound. */
  until?: string;
  /** An extra commercetools predicate (re-sync by store, by ID range). */
  where?: Predicate;
  limit: number;
};

/** The reader the job pages through: keyset pages of one resource type. */
export type PagingReader = CommerceReader & {
  page<T extends CommerceTypeId>(typeId: T, query: PageQuery): Promise<CommerceResource[T][]>;
  /**
   * One page in ID order, strictly after `afterId`: a walk a change to a
   * record does not move it in (reconciliation compares each record once per pass).
   */
  pageById<T extends CommerceTypeId>(typeId: T, query: { afterId?: string; limit: number }): Promise<CommerceResource[T][]>;
  /** How many resources of the type there are (one query with its total). */
  count(typeId: CommerceTypeId): Promise<number>;
};

/** Resources the inbound side sets custom fields on. */
export type CustomFieldsResource = "customer" | "business-unit";

/**
 * Write side of commercetools, for changes that come from the CRM, with the
 * reads they are decided on. Every update names the version it was decided
 * on; a concurrent change answers ConcurrentModificationError
 * (key-value-store.ts) so the caller re-reads and decides again, never bumps
 * the version blindly. Other refusals are SyncErrors without commercetools'
 * message (it can quote personal data).
 */
export interface CommerceWriter {
  /** The customer with its customer group expanded (its key decides segment groups). */
  customerWithGroup(id: string): Promise<Customer | undefined>;
  updateCustomer(id: string, version: number, actions: CustomerUpdateAction[]): Promise<Customer>;
  /** Idempotent by key: a second creation answers the first customer. */
  createCustomer(draft: CustomerDraft & { key: string }): Promise<Customer>;
  businessUnit(id: string): Promise<BusinessUnit | undefined>;
  updateBusinessUnit(id: string, version: number, actions: BusinessUnitUpdateAction[]): Promise<BusinessUnit>;
  customerGroupId(key: string): Promise<string | undefined>;
  cartByKey(key: string): Promise<Cart | undefined>;
  /** Idempotent by key: a second creation answers the first cart. */
  createCart(draft: CartDraft & { key: string }): Promise<Cart>;
  updateCart(id: string, version: number, actions: CartUpdateAction[]): Promise<Cart>;
  typesFor(resource: CustomFieldsResource): Promise<Type[]>;
}
