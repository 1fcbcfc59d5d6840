import type { CrmOneStore, FieldValue, RecordChange, StoredRecord, WebhookCondition, WebhookSubscription } from "./store";

/** The filter operators the simulator evaluates (1CRM's developer guide has more; these are the documented examples and their negations). */
export const filterOperators = ["eq", "ne", "is_true", "is_false", "empty", "not_empty"] as const;

const truthy = (value: FieldValue | undefined) => value === true || (value !== undefined && value !== false && value !== "" && value !== 0 && value !== "0");

function holds(condition: WebhookCondition, record: StoredRecord): boolean {
  const value = record[condition.field];
  switch (condition.filter) {
    case "eq":
      return value !== undefined && String(value) === condition.value;
    case "ne":
      return value === undefined || String(value) !== condition.value;
    case "is_true":
      return truthy(value);
    case "is_false":
      return !truthy(value);
    case "empty":
      return value === undefined || value === "";
    default:
      return value !== undefined && value !== "";
  }
}

function wants(subscription: WebhookSubscription, change: RecordChange): boolean {
  if (subscription.model !== change.model) return false;
  if (subscription.type !== "create_update" && subscription.type !== change.action) return false;
  const { glue, conditions } = subscription.filters;
  // The visual4 notes: a subscription without a (matching) filter never fires.
  if (conditions.length === 0) return false;
  return glue === "and" ? conditions.every((c) => holds(c, change.record)) : conditions.some((c) => holds(c, change.record));
}

export type Delivery = { subscriptionId: string; url: string; model: string; recordId: string; status: number | "failed"; body: string };

/**
 * Deliveries of changes made through the API: after each create or update,
 * every subscription of the model whose type and filter match receives one
 * unsigned POST of the record's fields as JSON (the OpenAPI files' webhook
 * payload is the model's schema). Once, in the background, without retries:
 * 1CRM documents none, so a missed delivery is what polling is for.
 */
export class WebhookDeliverer {
  readonly deliveries: Delivery[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly store: CrmOneStore,
    /** The record as an answer would show it (stored and display fields). */
    private readonly render: (model: string, record: StoredRecord) => Record<string, FieldValue>,
  ) {
    store.onChange((change) => this.deliverAll(change));
  }

  /** Resolves when every delivery started so far has been answered (or failed). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private deliverAll(change: RecordChange): void {
    for (const subscription of this.store.webhooks.values()) {
      if (!wants(subscription, change)) continue;
      const body = JSON.stringify(this.render(change.model, change.record));
      const sent = this.send(subscription, change, body).finally(() => this.pending.delete(sent));
      this.pending.add(sent);
    }
  }

  private async send(subscription: WebhookSubscription, change: RecordChange, body: string): Promise<void> {
    const delivery: Delivery = { subscriptionId: subscription.id, url: subscription.url, model: change.model, recordId: change.record.id, status: "failed", body };
    try {
      const response = await fetch(subscription.url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      delivery.status = response.status;
    } catch {
      // Unreachable receiver: recorded as failed, not retried.
    }
    this.deliveries.push(delivery);
  }
}
