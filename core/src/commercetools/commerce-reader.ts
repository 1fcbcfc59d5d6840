import type { BusinessUnit, Order } from "@commercetools/platform-sdk";
import { allOf, type Predicate, predicate, predicateArgs } from "../ports/predicate";
import type { PurchaseStats } from "../domain/model";
import type { CommerceResource, CommerceTypeId, PageQuery, PagingReader } from "../ports/commerce";
import { chunks, inPool, lookupQueriesInFlight } from "../pool";
import { isNotFound } from "./client";
import { CommercetoolsWriter } from "./commerce-writer";

const pageSize = 500;
/** IDs per `in (...)` predicate: keeps the query string well under URL limits. */
const idsPerQuery = 100;

function addOrder(stats: PurchaseStats, order: { totalPrice: { currencyCode: string; centAmount: number; fractionDigits: number }; createdAt: string }) {
  stats.orderCount += 1;
  const { currencyCode, centAmount, fractionDigits } = order.totalPrice;
  const total = (stats.totals[currencyCode] ??= { centAmount: 0, fractionDigits });
  total.centAmount += centAmount;
  if (!stats.lastPurchaseAt || order.createdAt > stats.lastPurchaseAt) stats.lastPurchaseAt = order.createdAt;
}

/**
 * The predicate of a keyset page on (lastModifiedAt, id): strictly after the
 * position, never by offset (offsets shift while records change and stop at 10,000).
 */
export function pagePredicate(query: Omit<PageQuery, "limit">): Predicate | undefined {
  const { after, until } = query;
  return allOf(
    after && predicate`lastModifiedAt > ${after.lastModifiedAt} or (lastModifiedAt = ${after.lastModifiedAt} and id > ${after.id})`,
    until === undefined ? undefined : predicate`lastModifiedAt <= ${until}`,
    query.where,
  );
}

/** Sorted in code as well: an emulator or proxy that drops `sort` must not break the keyset. */
export function byModifiedThenId<T extends { lastModifiedAt: string; id: string }>(a: T, b: T): number {
  return a.lastModifiedAt < b.lastModifiedAt ? -1 : a.lastModifiedAt > b.lastModifiedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Reads current state from commercetools (a missing resource is `undefined`,
 * not an error); the writes that come from the CRM are the writer's, so the
 * runtime holds one object for both.
 */
export class CommercetoolsReader extends CommercetoolsWriter implements PagingReader {
  async get<T extends CommerceTypeId>(typeId: T, id: string): Promise<CommerceResource[T] | undefined> {
    try {
      const response = await this.endpoint(typeId).withId({ ID: id }).get().execute();
      return response.body as CommerceResource[T];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getMany<T extends CommerceTypeId>(typeId: T, ids: string[]): Promise<Map<string, CommerceResource[T]>> {
    const out = new Map<string, CommerceResource[T]>();
    const query = (where: Predicate | undefined) => this.query(typeId, { ...predicateArgs(where), sort: "id asc", limit: pageSize, withTotal: false });
    await this.eachOfIds([...new Set(ids)], (chunk) => predicate`id in ${chunk}`, query, (resource) => out.set(resource.id, resource));
    return out;
  }

  async businessUnitByKey(key: string) {
    try {
      const { body } = await this.api.businessUnits().withKey({ key }).get().execute();
      return body;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async businessUnitsOfAssociate(customerId: string) {
    const { body } = await this.api
      .businessUnits()
      .get({ queryArgs: { ...predicateArgs(predicate`associates(customer(id = ${customerId}))`), limit: 20, withTotal: false } })
      .execute();
    return body.results;
  }

  /** Order count, totals per currency and last purchase date of one customer, paged by ID. */
  async purchaseStats(customerId: string): Promise<PurchaseStats> {
    const stats: PurchaseStats = { orderCount: 0, totals: {} };
    let lastId: string | undefined;
    for (;;) {
      const where = allOf(predicate`customerId = ${customerId}`, lastId === undefined ? undefined : predicate`id > ${lastId}`);
      const { body } = await this.api
        .orders()
        .get({ queryArgs: { ...predicateArgs(where), sort: "id asc", limit: pageSize, withTotal: false } })
        .execute();
      for (const order of body.results) addOrder(stats, order);
      if (body.results.length < pageSize) return stats;
      lastId = body.results[body.results.length - 1]!.id;
    }
  }

  /** Purchase figures of many customers: their orders in one query per 100 customers, paged by ID. */
  async purchaseStatsMany(customerIds: string[]): Promise<Map<string, PurchaseStats>> {
    const out = new Map<string, PurchaseStats>();
    for (const id of customerIds) out.set(id, { orderCount: 0, totals: {} });
    await this.eachOfIds(
      [...out.keys()],
      (ids) => predicate`customerId in ${ids}`,
      async (where) => (await this.api.orders().get({ queryArgs: { ...predicateArgs(where), sort: "id asc", limit: pageSize, withTotal: false } }).execute()).body.results,
      (order) => order.customerId && addOrder(out.get(order.customerId)!, order),
    );
    return out;
  }

  /** Business units of many associates, one query per 100 customers. */
  async businessUnitsOfAssociates(customerIds: string[]): Promise<Map<string, BusinessUnit[]>> {
    const out = new Map<string, BusinessUnit[]>();
    for (const id of customerIds) out.set(id, []);
    await this.eachOfIds(
      [...out.keys()],
      (ids) => predicate`associates(customer(id in ${ids}))`,
      async (where) => (await this.api.businessUnits().get({ queryArgs: { ...predicateArgs(where), sort: "id asc", limit: pageSize, withTotal: false } }).execute()).body.results,
      (unit) => unit.associates.forEach((associate) => out.get(associate.customer.id)?.push(unit)),
    );
    return out;
  }

  /**
   * Every resource `query` finds for the IDs: one predicate per 100 IDs
   * (`lookupQueriesInFlight` at once), each paged by resource ID.
   */
  private async eachOfIds<R extends { id: string }>(
    ids: string[],
    idsPredicate: (ids: string[]) => Predicate,
    query: (where: Predicate | undefined) => Promise<R[]>,
    each: (resource: R) => unknown,
  ): Promise<void> {
    await inPool(chunks(ids, idsPerQuery), lookupQueriesInFlight, async (chunk) => {
      let lastId: string | undefined;
      for (;;) {
        const results = await query(allOf(idsPredicate(chunk), lastId === undefined ? undefined : predicate`id > ${lastId}`));
        results.forEach(each);
        if (results.length < pageSize) return;
        lastId = results[results.length - 1]!.id;
      }
    });
  }

  /** One keyset page of one resource type, ordered by (lastModifiedAt, id). */
  async page<T extends CommerceTypeId>(typeId: T, query: PageQuery): Promise<CommerceResource[T][]> {
    const queryArgs = { ...predicateArgs(pagePredicate(query)), sort: ["lastModifiedAt asc", "id asc"], limit: query.limit, withTotal: false };
    return (await this.query(typeId, queryArgs)).sort(byModifiedThenId);
  }

  async pageById<T extends CommerceTypeId>(typeId: T, query: { afterId?: string; limit: number }): Promise<CommerceResource[T][]> {
    const where = query.afterId === undefined ? undefined : predicate`id > ${query.afterId}`;
    const results = await this.query(typeId, { ...predicateArgs(where), sort: "id asc", limit: query.limit, withTotal: false });
    return results.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async count(typeId: CommerceTypeId): Promise<number> {
    return (await this.request(typeId, { limit: 1, withTotal: true })).total ?? 0;
  }

  async ordersOfCarts(cartIds: string[]): Promise<Map<string, Order>> {
    const out = new Map<string, Order>();
    await this.eachOfIds(
      [...new Set(cartIds)],
      (ids) => predicate`cart(id in ${ids})`,
      (where) => this.query("order", { ...predicateArgs(where), sort: "id asc", limit: pageSize, withTotal: false }),
      (order) => order.cart && out.set(order.cart.id, order),
    );
    return out;
  }

  async ordersOfPayments(paymentIds: string[]): Promise<Order[]> {
    const out = new Map<string, Order>();
    await this.eachOfIds(
      [...new Set(paymentIds)],
      (ids) => predicate`paymentInfo(payments(id in ${ids}))`,
      (where) => this.query("order", { ...predicateArgs(where), sort: "id asc", limit: pageSize, withTotal: false }),
      (order) => out.set(order.id, order),
    );
    return [...out.values()];
  }

  /** The endpoint of one resource type. */
  private endpoint(typeId: CommerceTypeId) {
    switch (typeId) {
      case "customer":
        return this.api.customers();
      case "order":
        return this.api.orders();
      case "business-unit":
        return this.api.businessUnits();
      case "cart":
        return this.api.carts();
      case "payment":
        return this.api.payments();
    }
  }

  /** One query of one resource type. */
  private async query<T extends CommerceTypeId>(typeId: T, queryArgs: Record<string, string | string[] | number | boolean>): Promise<CommerceResource[T][]> {
    return (await this.request(typeId, queryArgs)).results as CommerceResource[T][];
  }

  private async request(typeId: CommerceTypeId, queryArgs: Record<string, string | string[] | number | boolean>): Promise<{ results: unknown[]; total?: number }> {
    return (await this.endpoint(typeId).get({ queryArgs }).execute()).body;
  }
}
