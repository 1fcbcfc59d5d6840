import { describe, expect, it } from "vitest";
import type { CartDeal, OrderEvent } from "../../domain/model";
import { dealBody } from "./deals";
import { namedSchema } from "./mapping";
import { orderEventBody } from "./order-events";

const cart: CartDeal = {
  kind: "deal",
  sourceId: "cart-1",
  sourceVersion: 4,
  dealKey: "ct-cart-cart-1",
  personSourceId: "cust-1",
  title: "Cart · 1 item · tokyo",
  total: { centAmount: 1500, currencyCode: "JPY", fractionDigits: 0 },
  status: "open",
  lines: [],
  lineSummary: "1 x Teapot (SKU-T) 1500 JPY",
  lastActivityAt: "2026-11-20T10:00:00.000Z",
};

describe("Close cart opportunity body", () => {
  it("holds the value in cents whatever the currency's own minor unit, and the deal key", () => {
    const body = dealBody(cart, namedSchema);
    expect(body).toMatchObject({ value: 150_000, value_currency: "JPY", value_period: "one_time", status_id: "Active", "custom.ct_deal_key": "ct-cart-cart-1" });
    expect(body).not.toHaveProperty("custom.ct_order_id");
    expect(body.note).toBe("Cart · 1 item · tokyo\nTotal 1500 JPY\n1 x Teapot (SKU-T) 1500 JPY");
  });

  it("says in the note since when a cart is abandoned, and which order a won cart became", () => {
    expect(dealBody({ ...cart, status: "abandoned" }, namedSchema)).toMatchObject({ status_id: "Abandoned cart", note: expect.stringContaining("no change since 2026-11-20T10:00:00.000Z") });
    const won = dealBody({ ...cart, status: "won", orderSourceId: "order-9", orderNumber: "1234" }, namedSchema);
    expect(won).toMatchObject({ status_id: "Won", "custom.ct_order_id": "order-9", "custom.ct_order_number": "1234", note: expect.stringContaining("Ordered as order 1234.") });
  });
});

describe("Close order event body", () => {
  const refund: OrderEvent = {
    kind: "order-event",
    sourceId: "ct-order-o1-refunded-tx1",
    orderSourceId: "o1",
    orderNumber: "1234",
    orderActivityKey: "ct-order-o1",
    type: "refunded",
    at: "2026-11-21T10:00:00.000Z",
    amount: { centAmount: 1234, currencyCode: "EUR", fractionDigits: 2 },
    detail: "1 item",
  };

  it("titles the entry for the timeline, dates it when it happened, amount in major units", () => {
    expect(orderEventBody(refund, namedSchema)).toEqual({
      custom_activity_type_id: "commercetools Order event",
      status: "published",
      activity_at: "2026-11-21T10:00:00.000Z",
      "custom.ct_event_key": "ct-order-o1-refunded-tx1",
      "custom.ct_order_id": "o1",
      "custom.ct_event_type": "refunded",
      "custom.ct_summary": "Order 1234 refunded 12.34 EUR (1 item)",
      "custom.ct_amount": 12.34,
      "custom.ct_currency": "EUR",
    });
    const shipped = orderEventBody({ ...refund, type: "shipped", amount: undefined, detail: undefined, orderNumber: undefined }, namedSchema);
    expect(shipped["custom.ct_summary"]).toBe("Order o1 shipped");
    expect(shipped).not.toHaveProperty("custom.ct_amount");
  });
});
