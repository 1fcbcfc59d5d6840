import type { Request, RequestHandler } from "express";
import { statusOf } from "@ct-crm-sync/core/commercetools/client";
import { correlationIdFrom } from "@ct-crm-sync/core/http/correlation";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { Overloaded } from "@ct-crm-sync/core/sync/push-batcher";
import { recordFailure } from "@ct-crm-sync/core/sync/record-writer";
import { entityOfType, type SyncedTypeId } from "@ct-crm-sync/core/sync/sync-service";
import type { BatchedSync } from "./batched-sync";
import { decodeNotification, pushEnvelopeSchema } from "./envelope";
import type { PushAuthenticator } from "./push-auth";
import { keepUnreadable } from "./review";

/**
 * How long CRM calls (with their inline retries) may take inside one push,
 * from its arrival: the ack deadline is 10 s, and the failure store writes of
 * a whole batch (up to the CRM's batch size) still have to fit after it. CRM
 * calls still running then are aborted and the records go to the store.
 */
export const inlineCrmDeadlineMs = 6_000;

const isSynced = (typeId: string): typeId is SyncedTypeId => Object.hasOwn(entityOfType, typeId);

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

/** The answer that makes Pub/Sub come back later, before anything was done. */
function stepBack(res: Parameters<RequestHandler>[1], reason: string) {
  res.status(503).set("retry-after", "10").json({ error: `busy, not taken: ${reason}` });
}

/**
 * One Pub/Sub push = one commercetools notification, which says which
 * resource changed; the resource itself is re-read, together with those of the
 * pushes arriving at about the same time (batched-sync.ts). The answer is 204
 * once the effect is in the CRM or the record sits in the failure store;
 * anything transient (commercetools or the failure store unreachable) is a
 * 500 so Pub/Sub redelivers, and a push the app could not finish in time (the
 * batches or the CRM's pacing queue are full, the CRM's API allowance is
 * nearly spent) gets 503 at once, before anything was done. Pushes that could
 * never succeed are kept for review and acknowledged (202), so they are not
 * redelivered for seven days. With push authentication configured, an
 * unauthenticated request gets 401 and changes nothing.
 */
export function messageHandler(runtime: Runtime, sync: BatchedSync, options: { authenticate?: PushAuthenticator } = {}): RequestHandler {
  return async (req, res, next) => {
    const deadline = AbortSignal.timeout(inlineCrmDeadlineMs);
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
      const type = notification.notificationType === "Message" ? notification.type : notification.notificationType;
      if (!isSynced(typeId)) {
        logger.info("notification ignored", { typeId, type });
        res.status(204).end();
        return;
      }

      const busy = sync.refusal();
      if (busy) {
        logger.warn("push not taken: the app steps back", { reason: busy });
        stepBack(res, busy);
        return;
      }
      let outcomes;
      try {
        outcomes = await sync.submit({ group: typeId, id, correlationId, signal: deadline });
      } catch (error) {
        if (error instanceof Overloaded) {
          logger.warn("push not taken: the app steps back", { reason: error.message });
          stepBack(res, error.message);
          return;
        }
        if (!isPermanentCommerceRefusal(error)) throw error;
        // commercetools' own text stays out of the answer and the store: the status and the resource say enough.
        const status = statusOf(error)!;
        const refusal = { errorClass: status === 401 || status === 403 ? ("auth" as const) : ("validation" as const), status, message: `commercetools refused to read this ${typeId} (HTTP ${status})` };
        await recordFailure(runtime, entityOfType[typeId], id, refusal, { correlationId });
        res.status(202).json({ acknowledged: true, error: refusal.message });
        return;
      }
      logger.info("notification processed", { typeId, resourceId: id, type, outcomes: outcomes.map((o) => `${o.entity}:${o.outcome}`) });
      res.status(204).end();
    } catch (error) {
      next(error);
    }
  };
}
