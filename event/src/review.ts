import { createHash } from "node:crypto";
import type { Runtime } from "@ct-crm-sync/core/runtime";

/**
 * Pushes that can never be processed are kept for a person to review and
 * acknowledged, so Pub/Sub does not redeliver them for seven days. One entry
 * per reason and hour (and per subscription once the push is authenticated):
 * a flood of bad pushes adds attempts to a few entries instead of filling
 * the failure store, and nothing a sender chooses freely becomes a key.
 */
export function unreadableEntryId(reason: string, at: Date, subscription: string | undefined): string {
  const digest = createHash("sha256").update(`${subscription ?? ""}\n${reason}`).digest("hex").slice(0, 16);
  return `unreadable-${at.toISOString().slice(0, 13)}-${digest}`;
}

export async function keepUnreadable(
  runtime: Runtime,
  push: { reason: string; messageId: string; dataLength: number; subscription?: string },
  correlationId: string,
): Promise<void> {
  await runtime.failures.record({
    connection: runtime.connection,
    crm: runtime.crm.name,
    direction: "ct-to-crm",
    entity: "message",
    sourceId: unreadableEntryId(push.reason, runtime.clock.now(), push.subscription),
    error: { errorClass: "validation", message: push.reason },
    payload: { lastMessageId: push.messageId.slice(0, 128), dataLength: push.dataLength },
    correlationId,
    retryable: false,
  });
}
