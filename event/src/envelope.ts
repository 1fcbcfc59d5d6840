import { z } from "zod";

/** The Pub/Sub push body exactly as Connect delivers it. */
export const pushEnvelopeSchema = z.object({
  message: z.object({
    data: z.string().min(1, "message.data is empty"),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    message_id: z.string().optional(),
    publishTime: z.string().optional(),
    publish_time: z.string().optional(),
  }),
  subscription: z.string().optional(),
});
export type PushEnvelope = z.infer<typeof pushEnvelopeSchema>;

/**
 * commercetools resource IDs are UUIDs; anything outside this alphabet (a lone
 * surrogate, quotes, slashes) is not an ID and is never passed on to a query or a path.
 */
export const resourceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "not a commercetools resource ID");
const resourceIdentifier = z.object({ typeId: z.string().max(64), id: resourceIdSchema });

/** A commercetools Message delivered through a Subscription's `messages`. */
export const messageNotificationSchema = z
  .object({
    notificationType: z.literal("Message"),
    id: z.string(),
    version: z.number().optional(),
    sequenceNumber: z.number().optional(),
    resource: resourceIdentifier,
    resourceVersion: z.number(),
    type: z.string(),
    createdAt: z.string().optional(),
  })
  .passthrough();

/** A change notification from a Subscription's `changes`. */
export const changeNotificationSchema = z
  .object({
    notificationType: z.enum(["ResourceCreated", "ResourceUpdated", "ResourceDeleted"]),
    projectKey: z.string().optional(),
    resource: resourceIdentifier,
    version: z.number(),
    oldVersion: z.number().optional(),
    modifiedAt: z.string().optional(),
  })
  .passthrough();

export const notificationSchema = z.discriminatedUnion("notificationType", [
  messageNotificationSchema,
  changeNotificationSchema,
]);
export type Notification = z.infer<typeof notificationSchema>;

export type DecodedMessage =
  | { ok: true; messageId: string; notification: Notification }
  | { ok: false; messageId: string; reason: string };

/** Decodes the base64 JSON payload; a payload we cannot read says why instead of throwing. */
export function decodeNotification(envelope: PushEnvelope): DecodedMessage {
  const messageId = envelope.message.messageId ?? envelope.message.message_id ?? "unknown";
  const raw = envelope.message.data;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(raw)) return { ok: false, messageId, reason: "message.data is not base64" };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
  } catch {
    return { ok: false, messageId, reason: "message.data does not decode to JSON" };
  }
  const parsed = notificationSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, messageId, reason: `not a commercetools notification: ${issue?.path.join(".") || "(root)"}: ${issue?.message}` };
  }
  return { ok: true, messageId, notification: parsed.data };
}
