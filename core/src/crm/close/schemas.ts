import { z } from "zod";

/**
 * Close's answers, as far as the adapter relies on them. Objects are loose:
 * Close adds fields freely, and custom values arrive as `custom.cf_X` keys.
 */
const record = { id: z.string(), date_created: z.string() };

export const customFieldSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  date_created: z.string().optional(),
  custom_activity_type_id: z.string().nullish(),
});
export type CloseCustomField = z.infer<typeof customFieldSchema>;

/** An opportunity status: its type (active, won, lost) decides where the opportunity stands; it belongs to a pipeline. */
export const opportunityStatusSchema = z.looseObject({ id: z.string(), label: z.string(), type: z.string(), pipeline_id: z.string().nullish() });
export type CloseOpportunityStatus = z.infer<typeof opportunityStatusSchema>;

export const opportunitySchema = z.looseObject({ ...record, lead_id: z.string(), contact_id: z.string().nullish(), status_id: z.string() });
export type CloseOpportunity = z.infer<typeof opportunitySchema>;

export const customActivityTypeSchema = z.looseObject({ id: z.string(), name: z.string(), date_created: z.string().optional() });

export const contactSchema = z.looseObject({
  ...record,
  lead_id: z.string().nullish(),
  name: z.string().nullish(),
  emails: z.array(z.looseObject({ email: z.string() })).optional(),
});

export const leadSchema = z.looseObject({ ...record, name: z.string().nullish(), contacts: z.array(contactSchema).optional() });

export const activitySchema = z.looseObject({
  ...record,
  lead_id: z.string(),
  contact_id: z.string().nullish(),
  activity_at: z.string().nullish(),
  custom_activity_type_id: z.string().nullish(),
});
export type CloseActivity = z.infer<typeof activitySchema>;

export const listSchema = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), has_more: z.boolean().optional() });

/** `POST /data/search/`: each hit carries `__object_type`, `id` and the `_fields` asked for. */
const searchHitSchema = z.looseObject({ __object_type: z.string(), id: z.string(), date_created: z.string().optional() });
export type SearchHit = z.infer<typeof searchHitSchema>;
export const searchResponseSchema = z.object({ data: z.array(searchHitSchema), cursor: z.string().nullish() });

export const idOnlySchema = z.looseObject({ id: z.string() });

/** Error bodies: `{"errors": [...], "field-errors": {...}}`, `{"error": "..."}`, or the 429 `{"error": {"rate_reset": ...}}`. */
export const errorBodySchema = z.looseObject({
  error: z.union([z.string(), z.looseObject({ rate_reset: z.number().optional(), message: z.string().optional() })]).optional(),
  errors: z.array(z.unknown()).optional(),
  "field-errors": z.record(z.string(), z.unknown()).optional(),
});
export type CloseErrorBody = z.infer<typeof errorBodySchema>;
