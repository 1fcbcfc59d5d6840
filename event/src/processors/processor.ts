import type { CallContext } from "@ct-crm-sync/core/ports/crm-outbound";
import type { RecordOutcome } from "@ct-crm-sync/core/sync/record-writer";
import type { SyncService } from "@ct-crm-sync/core/sync/sync-service";
import type { Notification } from "../envelope";

/** Handles the notifications of one resource type. */
export type Processor = {
  typeId: string;
  process(notification: Notification, sync: SyncService, ctx: CallContext): Promise<RecordOutcome[]>;
};

/**
 * The resource as the message carries it, when it is exactly the version the
 * message is about: then re-reading it from commercetools would return the same.
 */
export function carriedResource<T extends { id: string; version: number }>(
  notification: Notification,
  field: string,
): T | undefined {
  if (notification.notificationType !== "Message") return undefined;
  const carried = (notification as Record<string, unknown>)[field] as T | undefined;
  return carried && carried.id === notification.resource.id && carried.version === notification.resourceVersion
    ? carried
    : undefined;
}
