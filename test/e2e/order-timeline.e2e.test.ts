import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order } from "@commercetools/platform-sdk";
import { orderActivityKey, orderEventKey } from "@ct-crm-sync/core/domain/keys";
import { closeInspector } from "../conformance/targets/close";
import { soqlInspector } from "../conformance/targets/salesforce";
import type { CrmInspector, InspectedTimelineEntry } from "../conformance/target";
import { pushEnvelope } from "../sandbox/pubsub-relay";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { createCustomer, importOrder, seedProjectSetup } from "../sandbox/seed";
import { until } from "../support/until";

type Crm = { name: "salesforce" | "close"; inspect(sandbox: Sandbox): CrmInspector };
const crms: Crm[] = [
  { name: "salesforce", inspect: (s) => soqlInspector(s.urls.salesforce) },
  { name: "close", inspect: (s) => closeInspector(s.urls.closeApi, s.env.CLOSE_API_KEY!) },
];

const eur = (cents: number) => ({ currencyCode: "EUR", centAmount: cents });

/**
 * One order's life on the CRM timeline, through the whole sandbox: paid,
 * shipped, a refund transaction on its payment, a return, canceled; each one
 * entry with its amount, however often the messages come again.
 */
describe.each(crms)("sandbox: an order's lifecycle on the $name timeline", (crm) => {
  let sandbox: Sandbox;
  let inspect: CrmInspector;

  beforeAll(async () => {
    sandbox = await startSandbox({ crm: crm.name, ports: "ephemeral" });
    // The stores, types and products the seed's orders name.
    await seedProjectSetup(sandbox.api);
    inspect = crm.inspect(sandbox);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const entriesOf = async (orderId: string): Promise<InspectedTimelineEntry[]> =>
    (await inspect.orderEvents()).filter((e) => e.orderSourceId === orderId || e.orderSourceId === orderActivityKey(orderId) || e.key?.startsWith(`${orderActivityKey(orderId)}-`));

  async function updateOrder(id: string, actions: object[]): Promise<Order> {
    const { body: current } = await sandbox.api.orders().withId({ ID: id }).get().execute();
    const { body } = await sandbox.api.orders().withId({ ID: id }).post({ body: { version: current.version, actions: actions as never } }).execute();
    return body;
  }

  it("records paid, shipped, refunded, returned and canceled once each, with amounts, after redeliveries", async () => {
    const email = `timeline.${crm.name}@example.com`;
    const customerId = await createCustomer(sandbox.api, { email, firstName: "Tim", lastName: "Line", store: "berlin", country: "DE" });
    const orderId = await importOrder(sandbox.api, {
      orderNumber: `SB-LIFE-${crm.name}`,
      customerId,
      email,
      store: "berlin",
      currency: "EUR",
      lines: [{ sku: "GRIND-1", name: "Coffee grinder", quantity: 1, cents: 12345 }],
    });
    const { body: payment } = await sandbox.api
      .payments()
      .post({ body: { amountPlanned: eur(12345), transactions: [{ type: "Charge", state: "Success", amount: eur(12345), timestamp: "2026-11-20T10:01:00.000Z" }] } })
      .execute();
    await updateOrder(orderId, [{ action: "addPayment", payment: { typeId: "payment", id: payment.id } }, { action: "changePaymentState", paymentState: "Paid" }]);
    await updateOrder(orderId, [{ action: "changeShipmentState", shipmentState: "Shipped" }]);
    const { body: refunded } = await sandbox.api
      .payments()
      .withId({ ID: payment.id })
      .post({ body: { version: payment.version, actions: [{ action: "addTransaction", transaction: { type: "Refund", state: "Success", amount: eur(2000), timestamp: "2026-11-21T09:00:00.000Z" } }] } })
      .execute();
    const refund = refunded.transactions.find((t) => t.type === "Refund")!;
    const withLines = await updateOrder(orderId, [{ action: "changeOrderState", orderState: "Confirmed" }]);
    const returned = await updateOrder(orderId, [
      { action: "addReturnInfo", returnDate: "2026-11-22T10:00:00.000Z", items: [{ quantity: 1, lineItemId: withLines.lineItems[0]!.id, shipmentState: "Returned" }] },
    ]);
    const returnItem = returned.returnInfo![0]!.items[0]!;
    const final = await updateOrder(orderId, [{ action: "changeOrderState", orderState: "Cancelled" }]);
    await sandbox.relay.drained();

    const expected = {
      [orderEventKey(orderId, "paid")]: { type: "paid", amount: 123.45 },
      [orderEventKey(orderId, "shipped")]: { type: "shipped" },
      [orderEventKey(orderId, "refunded", refund.id)]: { type: "refunded", amount: 20 },
      [orderEventKey(orderId, "returned", returnItem.id)]: { type: "returned" },
      [orderEventKey(orderId, "canceled")]: { type: "canceled" },
    };
    const recorded = await until(async () => {
      const entries = await entriesOf(orderId);
      return Object.keys(expected).every((key) => entries.some((e) => e.key === key)) ? entries : undefined;
    }, 30_000);

    // The order's messages come again: ten in a row, then ten at once.
    const notification = { notificationType: "Message", id: "redelivered", version: 1, sequenceNumber: final.version, resource: { typeId: "order", id: orderId }, resourceVersion: final.version, type: "OrderStateChanged" };
    const deliver = () => fetch(sandbox.urls.event, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(pushEnvelope(notification)) }).then((r) => r.status);
    for (let i = 0; i < 10; i++) expect(await deliver()).toBe(204);
    expect(await Promise.all(Array.from({ length: 10 }, deliver))).toEqual(Array(10).fill(204));

    const entries = await entriesOf(orderId);
    expect(entries.map((e) => e.crmId).sort()).toEqual(recorded.map((e) => e.crmId).sort());
    expect(entries).toHaveLength(5);
    for (const [key, holds] of Object.entries(expected)) {
      const matching = entries.filter((e) => e.key === key);
      expect(matching, key).toHaveLength(1);
      expect(matching[0], key).toMatchObject(holds);
    }
  }, 90_000);
});
