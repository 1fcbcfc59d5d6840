import express, { type Request, type Router } from "express";
import { objectBody, requiredString, throwIfAny } from "../body";
import { ApiError } from "../errors";
import { closeId } from "../ids";
import type { CloseStore, WebhookSubscription } from "../store";
import { newSignatureKey } from "../webhooks";

/** Webhook subscriptions. The signature key is shown once, in the create answer. */
export function webhookRoutes(store: CloseStore): Router {
  const r = express.Router({ strict: true });
  const render = (s: WebhookSubscription) => ({
    id: s.id,
    url: s.url,
    events: s.events,
    verify_ssl: s.verify_ssl,
    status: s.status,
    date_created: s.date_created,
    date_updated: s.date_updated,
  });
  const subscriptionOf = (req: Request) => {
    const s = store.webhooks.get(req.params.id as string);
    if (!s) throw new ApiError(404, "Webhook subscription not found.");
    return s;
  };
  function readEvents(value: unknown, errors: Record<string, string>) {
    if (!Array.isArray(value) || value.length === 0) {
      errors.events = "This field is required.";
      return [];
    }
    const events = value.map((e) => e as { object_type?: unknown; action?: unknown });
    if (events.some((e) => typeof e.object_type !== "string" || typeof e.action !== "string")) errors.events = "Each event needs object_type and action.";
    return events.map((e) => ({ object_type: String(e.object_type), action: String(e.action) }));
  }

  r.get("/webhook/", (_req, res) => {
    res.json({ data: [...store.webhooks.values()].map(render), has_more: false });
  });

  r.post("/webhook/", (req, res) => {
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const url = requiredString(body, "url", errors);
    if (url && !/^https?:\/\//.test(url)) errors.url = "Enter a valid URL.";
    const events = readEvents(body.events, errors);
    throwIfAny(errors);
    const at = store.now();
    const subscription: WebhookSubscription = {
      id: closeId("whsub"),
      url,
      events,
      verify_ssl: body.verify_ssl !== false,
      status: "active",
      signature_key: newSignatureKey(),
      date_created: at,
      date_updated: at,
    };
    store.webhooks.set(subscription.id, subscription);
    res.status(201).json({ ...render(subscription), signature_key: subscription.signature_key });
  });

  r.get("/webhook/:id/", (req, res) => {
    res.json(render(subscriptionOf(req)));
  });

  r.put("/webhook/:id/", (req, res) => {
    const s = subscriptionOf(req);
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const events = body.events === undefined ? undefined : readEvents(body.events, errors);
    if (body.status !== undefined && body.status !== "active" && body.status !== "paused") errors.status = "Select a valid choice.";
    throwIfAny(errors);
    if (events) s.events = events;
    if (typeof body.url === "string") s.url = body.url;
    if (body.status === "active" || body.status === "paused") s.status = body.status;
    s.date_updated = store.now();
    res.json(render(s));
  });

  r.delete("/webhook/:id/", (req, res) => {
    store.webhooks.delete(subscriptionOf(req).id);
    res.json({});
  });

  return r;
}
