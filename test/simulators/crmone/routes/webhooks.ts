import express, { type Router } from "express";
import { z } from "zod";
import { ApiError } from "../errors";
import { crmOneId, type CrmOneStore, type WebhookSubscription } from "../store";
import { filterOperators } from "../webhooks";

const subscriptionBody = z.object({
  type: z.enum(["create", "update", "create_update"]),
  url: z.url({ protocol: /^https?$/ }),
  model: z.string().min(1),
  filters: z.object({
    glue: z.enum(["and", "or"]),
    conditions: z.array(z.object({ field: z.string().min(1), filter: z.enum(filterOperators), value: z.string().optional(), when: z.literal("current_value") })),
  }),
});

/**
 * `POST /webhooks {type, url, model, filters}` (required, as the OpenAPI
 * files declare them) → `{"id"}`; `GET /webhooks` lists them and
 * `DELETE /webhooks/{id}` removes one (the simulator's, undocumented).
 */
export function webhookRoutes(store: CrmOneStore): Router {
  const r = express.Router();

  r.post("/webhooks", (req, res) => {
    const parsed = subscriptionBody.safeParse(req.body);
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => i.path.join(".") || "(body)").join(", ");
      throw new ApiError(400, `Invalid webhook subscription at ${where}`, "invalid_request", "type, url, model and filters are required");
    }
    const spec = store.model(parsed.data.model);
    for (const condition of parsed.data.filters.conditions) {
      if (!spec.fields[condition.field]) throw new ApiError(400, `Unknown field ${condition.field} for model ${parsed.data.model}`, "invalid_request");
    }
    const subscription: WebhookSubscription = { id: crmOneId(), ...parsed.data };
    store.webhooks.set(subscription.id, subscription);
    res.json({ id: subscription.id });
  });

  r.get("/webhooks", (_req, res) => {
    res.json({ records: [...store.webhooks.values()], total_results: store.webhooks.size });
  });

  r.delete("/webhooks/:id", (req, res) => {
    if (!store.webhooks.delete(req.params.id as string)) throw new ApiError(404, "Not found");
    res.json({ result: true });
  });

  return r;
}
