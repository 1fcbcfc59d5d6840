import { afterAll, beforeAll } from "vitest";
import type { Sandbox } from "../sandbox/sandbox";
import { pushEnvelope } from "../sandbox/pubsub-relay";
import { createCustomer, importOrder } from "../sandbox/seed";
import { type PushSink, startPushSink } from "./push-sink";

/**
 * For a suite that delivers each message itself (ten times in a row, ten at
 * once): while it runs the relay only feeds a sink, and the suite pushes the
 * captured notifications to the event app as Pub/Sub would.
 */
export function redeliveries(sandbox: () => Sandbox) {
  let sink: PushSink;
  beforeAll(async () => {
    sink = await startPushSink();
    sandbox().setPushUrl(sink.url);
  });
  afterAll(async () => {
    sandbox().setPushUrl(undefined);
    await sink?.close();
  });

  const deliver = (notification: object) =>
    fetch(sandbox().urls.event, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(pushEnvelope(notification)) }).then((r) => r.status);

  return {
    /** Notifications about one resource, in the order commercetools emitted them. */
    about: (id: string) => sink.about(id),

    /** The event app's answer to one push of this notification. */
    deliver,

    /** Both creation messages delivered ten times in a row; the answers. */
    async tenInARow(record: { customerCreated: object; orderCreated: object }) {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push(await deliver(record.customerCreated), await deliver(record.orderCreated));
      return statuses;
    },

    /** Ten deliveries of each creation message at once, interleaved; the answers. */
    tenAtOnce(record: { customerCreated: object; orderCreated: object }) {
      return Promise.all(
        Array.from({ length: 10 }, (_, i) => deliver(i % 2 ? record.orderCreated : record.customerCreated)).concat(
          Array.from({ length: 10 }, (_, i) => deliver(i % 2 ? record.customerCreated : record.orderCreated)),
        ),
      );
    },

    /** A new customer with one order, and the notifications commercetools sent for their creation. */
    async newCustomerWithOrder(label: string) {
      const { api, relay } = sandbox();
      const email = `${label}@example.com`;
      const customerId = await createCustomer(api, { email, firstName: "Rita", lastName: `Repeat ${label}`, store: "berlin", country: "DE" });
      const orderId = await importOrder(api, { orderNumber: `SB-${label}`, customerId, email, store: "berlin", currency: "EUR", lines: [{ sku: "BEAN-1KG", name: "Coffee beans 1kg", quantity: 1, cents: 2490 }] });
      await relay.drained();
      const [customerCreated] = sink.about(customerId);
      const [orderCreated] = sink.about(orderId);
      return { customerId, orderId, customerCreated: customerCreated!, orderCreated: orderCreated! };
    },
  };
}
