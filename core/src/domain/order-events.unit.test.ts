import type { Order, Payment } from "@commercetools/platform-sdk";
import { describe, expect, it } from "vitest";
import { orderEventsFrom } from "./order-events";

const money = (centAmount: number) => ({ type: "centPrecision" as const, centAmount, currencyCode: "EUR", fractionDigits: 2 });

const order = (overrides: Partial<Order> = {}): Order =>
  ({
    id: "o-1",
    version: 9,
    orderNumber: "ON-1",
    createdAt: "2026-11-20T10:00:00.000Z",
    lastModifiedAt: "2026-11-22T08:00:00.000Z",
    customerEmail: "jane@example.com",
    totalPrice: money(12345),
    orderState: "Open",
    paymentState: "Pending",
    shipmentState: "Pending",
    lineItems: [],
    customLineItems: [],
    ...overrides,
  }) as unknown as Order;

const payment = (transactions: Partial<Payment["transactions"][number]>[]): Payment =>
  ({ id: "pay-1", version: 3, lastModifiedAt: "2026-11-21T12:00:00.000Z", transactions }) as unknown as Payment;

const related = { personSourceId: "c-1" };

describe("order timeline events", () => {
  it("gives none for an open, unpaid, unshipped order", () => {
    expect(orderEventsFrom(order(), [], related)).toEqual([]);
  });

  it("gives each transition once, keyed deterministically, with amounts in minor units", () => {
    const paid = payment([
      { id: "tx-charge", type: "Charge", state: "Success", amount: money(12345), timestamp: "2026-11-20T10:01:00.000Z" },
      { id: "tx-refund", type: "Refund", state: "Success", amount: money(2000), timestamp: "2026-11-21T09:00:00.000Z" },
      { id: "tx-refund-pending", type: "Refund", state: "Pending", amount: money(500) },
    ]);
    const full = order({
      paymentState: "Paid",
      shipmentState: "Shipped",
      orderState: "Cancelled",
      shippingInfo: { deliveries: [{ id: "d-1", createdAt: "2026-11-20T15:00:00.000Z", items: [], parcels: [{ id: "pa-1", createdAt: "2026-11-20T15:00:00.000Z", trackingData: { trackingId: "1Z999" } }] }] } as never,
      returnInfo: [{ items: [{ id: "ri-1", quantity: 2, createdAt: "2026-11-21T10:00:00.000Z" } as never], returnDate: "2026-11-21T11:00:00.000Z" }],
    });
    const events = orderEventsFrom(full, [paid], related);
    expect(events.map((e) => [e.type, e.sourceId, e.at, e.amount?.centAmount, e.detail])).toEqual([
      ["paid", "ct-order-o-1-paid", "2026-11-20T10:01:00.000Z", 12345, undefined],
      ["shipped", "ct-order-o-1-shipped", "2026-11-20T15:00:00.000Z", undefined, "Shipped, tracking 1Z999"],
      ["canceled", "ct-order-o-1-canceled", "2026-11-22T08:00:00.000Z", undefined, undefined],
      ["refunded", "ct-order-o-1-refunded-tx-refund", "2026-11-21T09:00:00.000Z", 2000, undefined],
      ["returned", "ct-order-o-1-returned-ri-1", "2026-11-21T11:00:00.000Z", undefined, "2 items returned"],
    ]);
    for (const e of events) expect(e).toMatchObject({ kind: "order-event", orderSourceId: "o-1", orderActivityKey: "ct-order-o-1", personSourceId: "c-1", email: "jane@example.com" });
    expect(orderEventsFrom(full, [paid], related)).toEqual(events);
  });

  it("gives one refund entry per successful refund transaction and one return entry per return", () => {
    const refunds = payment([
      { id: "r-a", type: "Refund", state: "Success", amount: money(100) },
      { id: "r-b", type: "Refund", state: "Success", amount: money(200) },
      { id: "r-c", type: "Refund", state: "Failure", amount: money(300) },
    ]);
    const twoReturns = order({
      shipmentState: "Delivered",
      returnInfo: [
        { items: [{ id: "ri-1", quantity: 1, createdAt: "2026-11-21T10:00:00.000Z" } as never] },
        { items: [{ id: "ri-2", quantity: 1, createdAt: "2026-11-22T10:00:00.000Z" } as never, { id: "ri-3", quantity: 3, createdAt: "2026-11-22T10:00:00.000Z" } as never] },
      ],
    });
    const events = orderEventsFrom(twoReturns, [refunds], related);
    expect(events.filter((e) => e.type === "refunded").map((e) => [e.sourceId, e.amount?.centAmount, e.at])).toEqual([
      ["ct-order-o-1-refunded-r-a", 100, "2026-11-21T12:00:00.000Z"],
      ["ct-order-o-1-refunded-r-b", 200, "2026-11-21T12:00:00.000Z"],
    ]);
    expect(events.filter((e) => e.type === "returned").map((e) => [e.sourceId, e.detail])).toEqual([
      ["ct-order-o-1-returned-ri-1", "1 item returned"],
      ["ct-order-o-1-returned-ri-2", "4 items returned"],
    ]);
    expect(events.find((e) => e.type === "shipped")?.detail).toBe("Delivered");
  });

  it("dates a payment commercetools keeps no charge time for by the order's last change", () => {
    expect(orderEventsFrom(order({ paymentState: "Paid" }), [], related)).toMatchObject([{ type: "paid", at: "2026-11-22T08:00:00.000Z", amount: { centAmount: 12345 } }]);
  });
});
