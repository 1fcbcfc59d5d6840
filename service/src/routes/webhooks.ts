import { randomUUID } from "node:crypto";
import express, { type ErrorRequestHandler, Router } from "express";
import { correlationIdFrom } from "@ct-crm-sync/core/http/correlation";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { inboundOf } from "@ct-crm-sync/core/sync/inbound/index";

/** Request values as the inbound port takes them: one string per name (a repeated header or parameter is joined, as node joins headers). */
function single(values: Record<string, unknown>): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(values).flatMap(([name, value]) =>
      typeof value === "string" ? [[name, value]] : Array.isArray(value) && value.every((v) => typeof v === "string") ? [[name, value.join(", ")]] : [],
    ),
  );
}

/**
 * `POST /webhooks/<crm>`: the CRM's deliveries, outside the Merchant Center
 * session (the CRM has none; the connector verifies each request by its
 * signature or shared secret instead). Mounted before any JSON parser: the
 * raw body is what signatures are computed over. A body larger than the
 * connector's limit is refused with 413 before it is read or verified.
 */
export function webhookRoutes(runtime: Runtime): Router {
  const router = Router();
  const crm = runtime.connector.name;
  const limit = runtime.inbound.maxBodyBytes;
  router.post(
    "/webhooks/:crm",
    (req, res, next) => {
      if (req.params.crm !== crm) {
        res.status(404).json({ error: `this connection receives webhooks at /webhooks/${crm}` });
        return;
      }
      next();
    },
    express.raw({ type: () => true, limit }),
    async (req, res) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const correlationId = correlationIdFrom(req, `webhook-${randomUUID()}`);
      const { answer } = await inboundOf(runtime).intake.receive(
        { headers: single(req.headers), query: single(req.query as Record<string, unknown>), rawBody, receivedAt: runtime.clock.now() },
        correlationId,
      );
      res.status(answer.status).type(answer.contentType).send(answer.body);
    },
  );
  const errors: ErrorRequestHandler = (error, req, res, _next) => {
    const type = (error as { type?: string }).type;
    if (type === "entity.too.large") {
      res.status(413).json({ error: `request body is larger than ${limit} bytes` });
      return;
    }
    if ((error as { expose?: boolean }).expose === true && typeof (error as { status?: number }).status === "number") {
      const status = (error as { status: number }).status;
      res.status(status).json({ error: (error as Error).message || "bad request" });
      return;
    }
    // Not acknowledged: the CRM delivers again, nothing is lost.
    runtime.logger.error("webhook delivery failed", { path: req.path, errorName: (error as Error)?.name, errorMessage: (error as Error)?.message });
    res.status(500).json({ error: "internal error" });
  };
  router.use(errors);
  return router;
}
