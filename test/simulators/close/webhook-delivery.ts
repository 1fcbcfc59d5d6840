import { type DeliveryFaults, deliveryFaultsSchema, Outbox, type OutboxOptions } from "../shared/outbox";
import type { CloseStore, StoreChange, WebhookSubscription } from "./store";
import { renderContact, renderLead, renderOpportunity } from "./render";
import { buildDelivery, signCloseWebhook } from "./webhooks";

type Queued = { subscriptionId: string; body: string };

/**
 * Close's webhook deliveries for changes made through the API: every lead,
 * contact and opportunity created, updated or deleted becomes one event per
 * active subscription listening for it, POSTed signed as Close signs (each
 * attempt with its own timestamp), retried with back-off until a 2xx. One
 * outbox per subscription; faults (duplicate, delay, reorder, pause) apply to
 * all of them.
 */
export class CloseWebhookDeliveries {
  private readonly outboxes = new Map<string, Outbox<Queued>>();
  private faults: DeliveryFaults = deliveryFaultsSchema.parse({});

  constructor(
    private readonly store: CloseStore,
    private readonly options: OutboxOptions = {},
  ) {
    store.onChange((change) => this.emit(change));
  }

  private outboxOf(subscription: WebhookSubscription): Outbox<Queued> {
    let outbox = this.outboxes.get(subscription.id);
    if (!outbox) {
      outbox = new Outbox((queued) => this.post(queued), this.options);
      outbox.configure(this.faults);
      this.outboxes.set(subscription.id, outbox);
    }
    return outbox;
  }

  private emit(change: StoreChange): void {
    for (const subscription of this.store.webhooks.values()) {
      if (subscription.status !== "active") continue;
      if (!subscription.events.some((e) => e.object_type === change.object_type && e.action === change.action)) continue;
      const body = JSON.stringify(buildDelivery(subscription, { ...change, data: this.dataOf(change) }, this.store.now()));
      this.outboxOf(subscription).enqueue({ subscriptionId: subscription.id, body });
    }
  }

  /** The object as it is now, as Close puts it in an event's `data` (nothing for a deletion here). */
  private dataOf(change: StoreChange): Record<string, unknown> {
    const { store } = this;
    if (change.object_type === "lead") {
      const lead = store.leads.get(change.object_id);
      return lead ? renderLead(store, lead) : {};
    }
    if (change.object_type === "contact") {
      const contact = store.contacts.get(change.object_id);
      return contact ? renderContact(contact) : {};
    }
    const opportunity = store.opportunities.get(change.object_id);
    return opportunity ? renderOpportunity(store, opportunity) : {};
  }

  private async post({ subscriptionId, body }: Queued): Promise<boolean> {
    const subscription = this.store.webhooks.get(subscriptionId);
    // A deleted subscription receives nothing more (Close drops its queue).
    if (!subscription) return true;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = { "content-type": "application/json", "close-sig-hash": signCloseWebhook(subscription.signature_key, timestamp, body), "close-sig-timestamp": timestamp };
    const response = await fetch(subscription.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.ok;
  }

  configure(faults: Partial<DeliveryFaults>): DeliveryFaults {
    this.faults = deliveryFaultsSchema.parse({ ...this.faults, ...faults });
    for (const outbox of this.outboxes.values()) outbox.configure(this.faults);
    return this.faults;
  }

  stats() {
    const total = { queued: 0, attempts: 0, acknowledged: 0, refused: 0, duplicated: 0, givenUp: 0, pending: 0 };
    for (const outbox of this.outboxes.values()) for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += outbox.stats[key];
    return total;
  }

  async drained(): Promise<void> {
    await Promise.all([...this.outboxes.values()].map((o) => o.drained()));
  }

  close(): void {
    for (const outbox of this.outboxes.values()) outbox.close();
  }
}
