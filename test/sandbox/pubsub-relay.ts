import { randomUUID } from "node:crypto";
import type { EmulatorWrite } from "../emulator/emulator";

/**
 * Stands in for commercetools Subscriptions + Google Pub/Sub push in the
 * sandbox (the emulator stores Subscriptions but never delivers): every write
 * to a customer, order, business unit or payment becomes a commercetools
 * Message notification, every write to a cart a change notification
 * (ResourceCreated, ResourceUpdated, ResourceDeleted), pushed to the event
 * app in Connect's envelope, with Pub/Sub's
 * at-least-once semantics: anything but 102/200/201/202/204 is redelivered
 * with backoff.
 */

type Resource = { id: string; version: number };

const resourcePaths: Record<string, { typeId: string; prefix: string; field: string }> = {
  customers: { typeId: "customer", prefix: "Customer", field: "customer" },
  orders: { typeId: "order", prefix: "Order", field: "order" },
  "business-units": { typeId: "business-unit", prefix: "BusinessUnit", field: "businessUnit" },
  payments: { typeId: "payment", prefix: "Payment", field: "payment" },
};

/** Resources whose writes the Subscription follows as change notifications. */
const changePaths: Record<string, string> = { carts: "cart" };

/** Message type commercetools emits for an update action (the common ones; others get `<Prefix>Updated`). */
const messageTypeByAction: Record<string, string> = {
  changeEmail: "CustomerEmailChanged",
  setFirstName: "CustomerFirstNameSet",
  setLastName: "CustomerLastNameSet",
  addAddress: "CustomerAddressAdded",
  changeAddress: "CustomerAddressChanged",
  setCustomField: "CustomerCustomFieldSet",
  setCustomType: "CustomerCustomTypeSet",
  setCompanyName: "CustomerCompanyNameSet",
  changeOrderState: "OrderStateChanged",
  changePaymentState: "OrderPaymentStateChanged",
  changeShipmentState: "OrderShipmentStateChanged",
  addReturnInfo: "ReturnInfoAdded",
  setCustomerEmail: "OrderCustomerEmailSet",
  changeName: "BusinessUnitNameChanged",
  addAssociate: "BusinessUnitAssociateAdded",
  removeAssociate: "BusinessUnitAssociateRemoved",
  changeParentUnit: "BusinessUnitParentChanged",
  setContactEmail: "BusinessUnitContactEmailSet",
  addTransaction: "PaymentTransactionAdded",
  changeTransactionState: "PaymentTransactionStateChanged",
};

export type Notification = Record<string, unknown> & { resource: { typeId: string; id: string } };

/** A change notification of a cart write, as a ChangeSubscription delivers it. */
function changeNotificationFor(write: EmulatorWrite, typeId: string, projectKey: string): Notification | undefined {
  const resource = write.responseBody as Partial<Resource> & { lastModifiedAt?: string };
  if (!resource?.id || typeof resource.version !== "number") return undefined;
  const notificationType = write.method === "DELETE" ? "ResourceDeleted" : write.path.split("/")[1] === undefined ? "ResourceCreated" : "ResourceUpdated";
  return {
    notificationType,
    projectKey,
    resource: { typeId, id: resource.id },
    version: resource.version,
    ...(notificationType === "ResourceUpdated" ? { oldVersion: resource.version - 1 } : {}),
    modifiedAt: resource.lastModifiedAt ?? new Date().toISOString(),
  };
}

export function notificationFor(write: EmulatorWrite, projectKey: string): Notification | undefined {
  const [collection, second] = write.path.split("/");
  const changed = collection ? changePaths[collection] : undefined;
  if (changed) return write.method === "POST" || write.method === "DELETE" ? changeNotificationFor(write, changed, projectKey) : undefined;
  const target = collection ? resourcePaths[collection] : undefined;
  if (!target || write.method !== "POST") return undefined;
  const body = write.responseBody as Record<string, unknown>;
  const resource = ((body[target.field] as Resource | undefined) ?? (body as Resource)) as Resource;
  if (!resource?.id || typeof resource.version !== "number") return undefined;
  let type: string;
  if (second === undefined || second === "import") type = second === "import" ? "OrderImported" : `${target.prefix}Created`;
  else {
    const actions = (write.requestBody as { actions?: { action: string }[] } | undefined)?.actions ?? [];
    type = messageTypeByAction[actions[0]?.action ?? ""] ?? `${target.prefix}Updated`;
  }
  return {
    notificationType: "Message",
    projectKey,
    id: randomUUID(),
    version: 1,
    sequenceNumber: resource.version,
    resource: { typeId: target.typeId, id: resource.id },
    resourceVersion: resource.version,
    type,
    createdAt: new Date().toISOString(),
    lastModifiedAt: new Date().toISOString(),
    ...(type.endsWith("Created") || type === "OrderImported" ? { [target.field]: resource } : {}),
  };
}

export function pushEnvelope(notification: unknown, subscription = "projects/sandbox/subscriptions/ct-crm-sync-event") {
  const messageId = String(Math.floor(Math.random() * 1e15));
  const publishTime = new Date().toISOString();
  return {
    message: {
      attributes: { "content-type": "application/json" },
      data: Buffer.from(JSON.stringify(notification)).toString("base64"),
      messageId,
      message_id: messageId,
      publishTime,
      publish_time: publishTime,
    },
    subscription,
  };
}

const acknowledged = new Set([102, 200, 201, 202, 204]);

export type RelayStats = { published: number; delivered: number; redelivered: number; pending: number };

export class PubSubRelay {
  private pending = 0;
  private idle: (() => void)[] = [];
  readonly stats: RelayStats = { published: 0, delivered: 0, redelivered: 0, pending: 0 };

  constructor(
    private readonly pushUrl: () => string | undefined,
    private readonly options: { maxBackoffMs?: number; ackDeadlineMs?: number } = {},
  ) {}

  publish(notification: unknown): void {
    this.stats.published++;
    this.pending++;
    void this.deliver(pushEnvelope(notification), 0);
  }

  /** Resolves when every published message has been acknowledged. */
  drained(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  private async deliver(envelope: ReturnType<typeof pushEnvelope>, attempt: number): Promise<void> {
    const url = this.pushUrl();
    let status = 0;
    if (url) {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(envelope),
          signal: AbortSignal.timeout(this.options.ackDeadlineMs ?? 10_000),
        });
        status = response.status;
        await response.arrayBuffer();
      } catch {
        status = 0;
      }
    }
    if (acknowledged.has(status)) {
      this.stats.delivered++;
      this.pending--;
      this.stats.pending = this.pending;
      if (this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
      return;
    }
    this.stats.redelivered++;
    const delay = Math.min(this.options.maxBackoffMs ?? 10_000, 250 * 2 ** attempt);
    setTimeout(() => void this.deliver(envelope, attempt + 1), delay).unref();
  }
}
