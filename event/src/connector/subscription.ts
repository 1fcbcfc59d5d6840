import type { ChangeSubscription, Destination, MessageSubscription, SubscriptionUpdateAction } from "@commercetools/platform-sdk";
import { z } from "zod";
import type { CommercetoolsApi } from "@ct-crm-sync/core/commercetools/client";
import { isNotFound } from "@ct-crm-sync/core/commercetools/client";

export const subscriptionKey = "ct-crm-sync-event";

/**
 * Every message of these resources (the processors decide what matters), and
 * of payments the transactions (refunds reach the order's timeline).
 */
export const subscribedMessages: MessageSubscription[] = [
  { resourceTypeId: "customer", types: [] },
  { resourceTypeId: "order", types: [] },
  { resourceTypeId: "business-unit", types: [] },
  { resourceTypeId: "payment", types: ["PaymentTransactionAdded", "PaymentTransactionStateChanged"] },
];

/**
 * Carts by change notifications: commercetools has Cart messages for a few
 * actions only (created, deleted, frozen, discount codes…), none for line
 * items, which are what moves a cart's value.
 */
export const subscribedChanges: ChangeSubscription[] = [{ resourceTypeId: "cart" }];

/** Whether the Subscription delivers this notification (a message type of a resource, or a change of one). */
export function isSubscribed(notification: { notificationType?: unknown; type?: unknown; resource: { typeId: string } }): boolean {
  const { typeId } = notification.resource;
  if (notification.notificationType !== "Message") return subscribedChanges.some((c) => c.resourceTypeId === typeId);
  return subscribedMessages.some((m) => m.resourceTypeId === typeId && (!m.types?.length || m.types.includes(String(notification.type))));
}

/** Destination variables Connect injects into an event app's postDeploy. */
export const destinationEnv = z.discriminatedUnion("CONNECT_PROVIDER", [
  z.object({
    CONNECT_PROVIDER: z.literal("GCP"),
    CONNECT_GCP_PROJECT_ID: z.string().min(1),
    CONNECT_GCP_TOPIC_NAME: z.string().min(1),
  }),
  z.object({
    CONNECT_PROVIDER: z.literal("AWS"),
    CONNECT_AWS_TOPIC_ARN: z.string().min(1),
  }),
]);

export function destinationFrom(env: z.infer<typeof destinationEnv>): Destination {
  return env.CONNECT_PROVIDER === "GCP"
    ? { type: "GoogleCloudPubSub", projectId: env.CONNECT_GCP_PROJECT_ID, topic: env.CONNECT_GCP_TOPIC_NAME }
    : { type: "SNS", topicArn: env.CONNECT_AWS_TOPIC_ARN, authenticationMode: "IAM" };
}

/** Creates the Subscription, or updates it in place by key (messages, changes and destination). */
export async function ensureSubscription(api: CommercetoolsApi, destination: Destination): Promise<"created" | "updated"> {
  try {
    const { body: existing } = await api.subscriptions().withKey({ key: subscriptionKey }).get().execute();
    const actions: SubscriptionUpdateAction[] = [
      { action: "setMessages", messages: subscribedMessages },
      { action: "setChanges", changes: subscribedChanges },
      { action: "changeDestination", destination },
    ];
    await api
      .subscriptions()
      .withKey({ key: subscriptionKey })
      .post({ body: { version: existing.version, actions } })
      .execute();
    return "updated";
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await api
    .subscriptions()
    .post({ body: { key: subscriptionKey, destination, messages: subscribedMessages, changes: subscribedChanges } })
    .execute();
  return "created";
}

export async function removeSubscription(api: CommercetoolsApi): Promise<boolean> {
  try {
    const { body } = await api.subscriptions().withKey({ key: subscriptionKey }).get().execute();
    await api
      .subscriptions()
      .withKey({ key: subscriptionKey })
      .delete({ queryArgs: { version: body.version } })
      .execute();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
