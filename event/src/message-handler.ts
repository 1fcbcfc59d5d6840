import type { Request, RequestHandler } from "express";
import { statusOf } from "@ct-crm-sync/core/commercetools/client";
import type { EntityKind } from "@ct-crm-sync/core/domain/model";
import { correlationIdFrom } from "@ct-crm-sync/core/http/correlation";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { recordFailure } from "@ct-crm-sync/core/sync/record-writer";
import { logEntries } from "@ct-crm-sync/core/state/sync-log";
import { decodeNotification, pushEnvelopeSchema } from "./envelope";
import { processors } from "./processors";
import type { PushAuthenticator } from "./push-auth";
import { keepUnreadable } from "./review";

/**
 * How long CRM calls (with their inline retries) may take inside one push: the
 * ack deadline is 10 s, and the failure store write still has to fit after it.
 * CRM calls still running then are aborted and the record goes to the store.
 */
export const inlineCrmDeadlineMs = 7_000;

const entityOf: Record<string, EntityKind> = { customer: "person", "business-unit": "company", order: "order" };

/**
 * commercetools refused to answer about this resource for a reason a retry
 * will not change (4xx other than conflict and throttling; not-found is an
 * answer, "missing", handled by the use cases).
 */
const isPermanentCommerceRefusal = (error: unknown) => {
  const status = statusOf(error);
  return status !== undefined && status >= 400 && status < 500 && status !== 409 && status !== 429;
};

const subscriptionOf = (req: Request) => (typeof req.body?.subscription === "string" ? req.body.subscription : undefined);

/**
 * One Pub/Sub push = one commercetools notification, which says which
 * resource changed; the resource itself is re-read. The answer is 204 once the
 * effect is in the CRM or the record sits in the failure store; anything
 * transient (commercetools or the failure store unreachable) is a 500 so
 * Pub/Sub redelivers. Pushes that could never succeed are kept for review and
 * acknowledged (202), so they are not redelivered for seven days. With push
 * authentication configured, an unauthenticated request gets 401 and changes nothing.
 */
export function messageHandler(runtime: Runtime, options: { authenticate?: PushAuthenticator } = {}): RequestHandler {
  return async (req, res, next) => {
    try {
      if (options.authenticate) {
        const verdict = await options.authenticate(req);
        if (!verdict.ok) {
          runtime.logger.warn("push refused: not authenticated", { reason: verdict.reason });
          res.status(401).json({ error: "push not authenticated" });
          return;
        }
      }
      const envelope = pushEnvelopeSchema.safeParse(req.body);
      if (!envelope.success) {
        const issue = envelope.error.issues[0];
        const reason = `not a Pub/Sub push envelope: ${issue?.path.join(".") || "body"}: ${issue?.message}`;
        // Only an authenticated push is known to come from Pub/Sub, which redelivers anything but 2xx.
        if (options.authenticate) {
          const correlationId = correlationIdFrom(req);
          await keepUnreadable(runtime, { reason, messageId: "unknown", dataLength: 0, subscription: subscriptionOf(req) }, correlationId);
          res.status(202).json({ acknowledged: true, error: reason });
        } else {
          res.status(400).json({ error: reason });
        }
        return;
      }
      const decoded = decodeNotification(envelope.data);
      const correlationId = correlationIdFrom(req, `msg-${decoded.messageId}`);
      const logger = runtime.logger.child({ correlationId, messageId: decoded.messageId });

      if (!decoded.ok) {
        const subscription = options.authenticate ? envelope.data.subscription : undefined;
        await keepUnreadable(runtime, { reason: decoded.reason, messageId: decoded.messageId, dataLength: envelope.data.message.data.length, subscription }, correlationId);
        logger.warn("unreadable message kept for review and acknowledged", { reason: decoded.reason });
        res.status(202).json({ acknowledged: true, error: decoded.reason });
        return;
      }

      const { notification } = decoded;
      const { typeId, id } = notification.resource;
      const processor = processors.get(typeId);
      const type = notification.notificationType === "Message" ? notification.type : notification.notificationType;
      if (!processor) {
        logger.info("notification ignored", { typeId, type });
        res.status(204).end();
        return;
      }

      const ctx = { correlationId, signal: AbortSignal.timeout(inlineCrmDeadlineMs) };
      let outcomes;
      try {
        outcomes = await processor.process(id, runtime.sync, ctx);
      } catch (error) {
        if (!isPermanentCommerceRefusal(error)) throw error;
        // commercetools' own text stays out of the answer and the store: the status and the resource say enough.
        const status = statusOf(error)!;
        const refusal = { errorClass: status === 401 || status === 403 ? ("auth" as const) : ("validation" as const), status, message: `commercetools refused to read this ${typeId} (HTTP ${status})` };
        await recordFailure(runtime, entityOf[typeId]!, id, refusal, ctx);
        res.status(202).json({ acknowledged: true, error: refusal.message });
        return;
      }
      const meta = { at: runtime.clock.now().toISOString(), correlationId, connection: runtime.connection };
      await runtime.log.append("event", logEntries(outcomes, meta));
      logger.info("notification processed", { typeId, resourceId: id, type, outcomes: outcomes.map((o) => `${o.entity}:${o.outcome}`) });
      res.status(204).end();
    } catch (error) {
      next(error);
    }
  };
}
