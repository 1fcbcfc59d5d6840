import { createHmac, randomBytes } from "node:crypto";
import { closeId } from "./ids";
import { organizationId, simUserId, type CloseStore, type WebhookSubscription } from "./store";

/**
 * Close's webhook signature: hex HMAC-SHA256 keyed with the hex-decoded
 * `signature_key`, over `timestamp + rawBody`; sent as `close-sig-hash` and
 * `close-sig-timestamp` (Unix seconds).
 */
export function signCloseWebhook(signatureKey: string, timestamp: string, rawBody: string): string {
  return createHmac("sha256", Buffer.from(signatureKey, "hex")).update(timestamp + rawBody).digest("hex");
}

export function newSignatureKey(): string {
  return randomBytes(32).toString("hex");
}

export type CloseEventInput = {
  object_type: string;
  action: string;
  object_id: string;
  lead_id?: string | null;
  data?: Record<string, unknown>;
  previous_data?: Record<string, unknown>;
  changed_fields?: string[];
};

export type Delivery = { subscriptionId: string; url: string; status: number; body: string; headers: Record<string, string> };

/** The delivery body Close POSTs: `{event: {...}, subscription_id}`. */
export function buildDelivery(subscription: WebhookSubscription, input: CloseEventInput, at: string) {
  return {
    event: {
      id: closeId("ev"),
      object_type: input.object_type,
      object_id: input.object_id,
      action: input.action,
      date_created: at,
      date_updated: at,
      organization_id: organizationId,
      user_id: simUserId,
      lead_id: input.lead_id ?? null,
      request_id: closeId("req"),
      data: input.data ?? {},
      previous_data: input.previous_data ?? {},
      changed_fields: input.changed_fields ?? [],
      meta: { request_method: "PUT", request_path: `/api/v1/${input.object_type}/${input.object_id}/` },
    },
    subscription_id: subscription.id,
  };
}

/**
 * Sends an event to every active subscription listening for it, signed as Close
 * signs it. `tamper` lets tests send a wrong signature on purpose.
 */
export async function deliverEvent(
  store: CloseStore,
  input: CloseEventInput,
  options: { timestamp?: number; tamper?: boolean } = {},
): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  for (const subscription of store.webhooks.values()) {
    if (subscription.status !== "active") continue;
    if (!subscription.events.some((e) => e.object_type === input.object_type && e.action === input.action)) continue;
    const body = JSON.stringify(buildDelivery(subscription, input, store.now()));
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const hash = signCloseWebhook(subscription.signature_key, timestamp, body);
    const headers = {
      "content-type": "application/json",
      "close-sig-hash": options.tamper ? hash.replace(/^./, (c) => (c === "0" ? "1" : "0")) : hash,
      "close-sig-timestamp": timestamp,
    };
    const response = await fetch(subscription.url, { method: "POST", headers, body });
    deliveries.push({ subscriptionId: subscription.id, url: subscription.url, status: response.status, body, headers });
  }
  return deliveries;
}
