import { describe, expect, it } from "vitest";
import { orderActivityKey, orderEventKey } from "../../domain/keys";
import type { OrderEvent } from "../../domain/model";
import { eventBody } from "./order-events";

const eur = (centAmount: number) => ({ centAmount, currencyCode: "EUR", fractionDigits: 2 });

describe("Salesforce Task of an order transition", () => {
  const event = (overrides: Partial<OrderEvent> = {}): OrderEvent => ({
    kind: "order-event",
    sourceId: orderEventKey("order-1", "refunded", "tx-1"),
    orderSourceId: "order-1",
    orderNumber: "1001",
    orderActivityKey: orderActivityKey("order-1"),
    personSourceId: "cust-1",
    type: "refunded",
    at: "2026-12-03T23:59:00.000Z",
    amount: eur(1234),
    ...overrides,
  });

  it("is a completed Task on the contact and the order record, titled with the order, the transition and the amount", () => {
    expect(eventBody(event())).toEqual({
      Subject: "Order 1001 refunded 12.34 EUR",
      Status: "Completed",
      ActivityDate: "2026-12-03",
      CT_Event_Type__c: "refunded",
      CT_Amount__c: 12.34,
      CT_Currency__c: "EUR",
      Who: { attributes: { type: "Contact" }, CT_Customer_Id__c: "cust-1" },
      What: { attributes: { type: "CT_Order__c" }, CT_Order_Id__c: "order-1" },
    });
  });

  it("names the order by its ID when it has no number, and carries no amount or contact it was not given", () => {
    const body = eventBody(event({ type: "shipped", orderNumber: undefined, amount: undefined, personSourceId: undefined, detail: "tracking 1Z" }));
    expect(body).toMatchObject({ Subject: "Order order-1 shipped", Description: "tracking 1Z" });
    expect(body).not.toHaveProperty("CT_Amount__c");
    expect(body).not.toHaveProperty("Who");
  });
});
