import type { RequestHandler } from "express";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { correlationIdFrom } from "@ct-crm-sync/core/http/correlation";
import { logEntries } from "@ct-crm-sync/core/state/sync-log";
import { decodeNotification, pushEnvelopeSchema } from "./envelope";
import { processors } from "./processors";

/**
 * How long CRM calls (with their inline retries) may take inside one push: the
 * ack deadline is 10 s, and the failure store write still has to fit after it.
 * CRM calls still running then are aborted and the record goes to the store.
 */
export const inlineCrmDeadlineMs = 7_000;

/**
 * One Pub/Sub push = one commercetools notification. The answer is 204 once the
 * effect is in the CRM or the record sits in the failure store; anything else
 * (commercetools or the failure store unreachable) is a 500 so Pub/Sub redelivers.
 * Payloads that could never succeed are kept for review and acknowledged, so
 * they are not redelivered for seven days.
 */
export function messageHandler(runtime: Runtime): RequestHandler {
  return async (req, res, next) => {
    try {
      const envelope = pushEnvelopeSchema.safeParse(req.body);
      if (!envelope.success) {
        const issue = envelope.error.issues[0];
        res.status(400).json({ error: `not a Pub/Sub push envelope: ${issue?.path.join(".") || "body"}: ${issue?.message}` });
        return;
      }
      const decoded = decodeNotification(envelope.data);
      const correlationId = correlationIdFrom(req, `msg-${decoded.messageId}`);
      const logger = runtime.logger.child({ correlationId, messageId: decoded.messageId });

      if (!decoded.ok) {
        await runtime.failures.record({
          connection: runtime.connection,
          crm: runtime.crm.name,
          direction: "ct-to-crm",
          entity: "message",
          sourceId: decoded.messageId,
          error: { errorClass: "validation", message: decoded.reason },
          payload: { messageId: decoded.messageId, dataLength: envelope.data.message.data.length },
          correlationId,
          retryable: false,
        });
        logger.warn("unreadable message kept for review and acknowledged", { reason: decoded.reason });
        res.status(202).json({ acknowledged: true, error: decoded.reason });
        return;
      }

      const { notification } = decoded;
      const processor = processors.get(notification.resource.typeId);
      const type = notification.notificationType === "Message" ? notification.type : notification.notificationType;
      if (!processor) {
        logger.info("notification ignored", { typeId: notification.resource.typeId, type });
        res.status(204).end();
        return;
      }

      const signal = AbortSignal.timeout(inlineCrmDeadlineMs);
      const outcomes = await processor.process(notification, runtime.sync, { correlationId, signal });
      const meta = { at: runtime.clock.now().toISOString(), correlationId, connection: runtime.connection };
      await runtime.log.append("event", logEntries(outcomes, meta));
      logger.info("notification processed", {
        typeId: notification.resource.typeId,
        resourceId: notification.resource.id,
        type,
        outcomes: outcomes.map((o) => `${o.entity}:${o.outcome}`),
      });
      res.status(204).end();
    } catch (error) {
      next(error);
    }
  };
}
