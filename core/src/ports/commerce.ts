import type { BusinessUnit, Customer, Order } from "@commercetools/platform-sdk";

export type CommerceResource = {
  customer: Customer;
  "business-unit": BusinessUnit;
  order: Order;
};
export type CommerceTypeId = keyof CommerceResource;

export type PurchaseStats = {
  orderCount: number;
  /** Sum of order totals per currency code, in the currency's minor unit. */
  totals: Record<string, { centAmount: number; fractionDigits: number }>;
  lastPurchaseAt?: string;
};

/** Read side of commercetools, as the sync use cases need it. */
export interface CommerceReader {
  get<T extends CommerceTypeId>(typeId: T, id: string): Promise<CommerceResource[T] | undefined>;
  businessUnitByKey(key: string): Promise<BusinessUnit | undefined>;
  /** Business units that list this customer as an associate. */
  businessUnitsOfAssociate(customerId: string): Promise<BusinessUnit[]>;
  purchaseStats(customerId: string): Promise<PurchaseStats>;
}
