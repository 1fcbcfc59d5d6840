import type { Order, Payment } from "@commercetools/platform-sdk";
import { money } from "./commerce-mapping";
import { orderActivityKey, orderEventKey } from "./keys";
import type { OrderEvent, OrderEventType } from "./model";
import { normaliseEmail } from "./normalise";

/**
 * An order's life as timeline entries, derived from its current state and
 * its payments (never from the message that announced a change). Pure; the
 * same state always gives the same entries with the same keys, so however
 * often an order is synced each transition is one entry. Transitions
 * commercetools keeps no time for are dated by the order's last change: the
 * entry is written once, when the transition is first seen.
 */
export function orderEventsFrom(
  order: Order,
  payments: Payment[],
  related: { personSourceId?: string; companySourceId?: string },
): OrderEvent[] {
  const base = {
    kind: "order-event" as const,
    orderSourceId: order.id,
    orderNumber: order.orderNumber,
    orderActivityKey: orderActivityKey(order.id),
    personSourceId: related.personSourceId,
    companySourceId: related.companySourceId,
    email: normaliseEmail(order.customerEmail),
  };
  const event = (type: OrderEventType, at: string, rest: Partial<Pick<OrderEvent, "amount" | "detail">> = {}, occurrence?: string): OrderEvent => ({
    ...base,
    sourceId: orderEventKey(order.id, type, occurrence),
    type,
    at,
    ...rest,
  });
  const events: OrderEvent[] = [];

  if (order.paymentState === "Paid") {
    const charges = payments.flatMap((p) => p.transactions).filter((t) => t.type === "Charge" && t.state === "Success" && t.timestamp);
    const paidAt = charges.map((t) => t.timestamp!).sort().at(-1) ?? order.lastModifiedAt;
    events.push(event("paid", paidAt, { amount: money(order.totalPrice) }));
  }

  if (order.shipmentState === "Shipped" || order.shipmentState === "Delivered") {
    const deliveries = order.shippingInfo?.deliveries ?? [];
    const trackingIds = deliveries.flatMap((d) => d.parcels.map((p) => p.trackingData?.trackingId)).filter((id): id is string => Boolean(id));
    const shippedAt = deliveries.map((d) => d.createdAt).sort()[0] ?? order.lastModifiedAt;
    events.push(event("shipped", shippedAt, { detail: trackingIds.length ? `${order.shipmentState}, tracking ${trackingIds.join(", ")}` : order.shipmentState }));
  }

  if (order.orderState === "Cancelled") events.push(event("canceled", order.lastModifiedAt));

  for (const payment of [...payments].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    for (const refund of payment.transactions.filter((t) => t.type === "Refund" && t.state === "Success")) {
      events.push(event("refunded", refund.timestamp ?? payment.lastModifiedAt, { amount: money(refund.amount) }, refund.id));
    }
  }

  for (const returned of order.returnInfo ?? []) {
    const first = returned.items[0];
    if (!first) continue;
    const count = returned.items.reduce((n, item) => n + item.quantity, 0);
    events.push(event("returned", returned.returnDate ?? first.createdAt, { detail: `${count} ${count === 1 ? "item" : "items"} returned` }, first.id));
  }
  return events;
}
