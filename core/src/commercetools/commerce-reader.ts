import type { CommerceReader, CommerceResource, CommerceTypeId, PurchaseStats } from "../ports/commerce";
import { type CommercetoolsApi, isNotFound } from "./client";

const pageSize = 500;

/** Reads current state from commercetools; a missing resource is `undefined`, not an error. */
export class CommercetoolsReader implements CommerceReader {
  constructor(private readonly api: CommercetoolsApi) {}

  async get<T extends CommerceTypeId>(typeId: T, id: string): Promise<CommerceResource[T] | undefined> {
    try {
      const request =
        typeId === "customer"
          ? this.api.customers().withId({ ID: id }).get()
          : typeId === "order"
            ? this.api.orders().withId({ ID: id }).get()
            : this.api.businessUnits().withId({ ID: id }).get();
      const response = await request.execute();
      return response.body as CommerceResource[T];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
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
      .get({ queryArgs: { where: `associates(customer(id = "${customerId}"))`, limit: 20, withTotal: false } })
      .execute();
    return body.results;
  }

  /** Order count, totals per currency and last purchase date of one customer, paged by ID. */
  async purchaseStats(customerId: string): Promise<PurchaseStats> {
    const stats: PurchaseStats = { orderCount: 0, totals: {} };
    let lastId: string | undefined;
    for (;;) {
      const where = [`customerId = "${customerId}"`];
      if (lastId) where.push(`id > "${lastId}"`);
      const { body } = await this.api
        .orders()
        .get({ queryArgs: { where, sort: "id asc", limit: pageSize, withTotal: false } })
        .execute();
      for (const order of body.results) {
        stats.orderCount += 1;
        const { currencyCode, centAmount, fractionDigits } = order.totalPrice;
        const total = (stats.totals[currencyCode] ??= { centAmount: 0, fractionDigits });
        total.centAmount += centAmount;
        if (!stats.lastPurchaseAt || order.createdAt > stats.lastPurchaseAt) stats.lastPurchaseAt = order.createdAt;
      }
      if (body.results.length < pageSize) return stats;
      lastId = body.results[body.results.length - 1]!.id;
    }
  }
}
