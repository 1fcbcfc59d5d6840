import { z } from "zod";
import { apiRoute } from "./route";

export const logSources = ["event", "job", "replay", "webhook"] as const;
export const logOutcomes = ["written", "unchanged", "stale", "missing", "failed", "skipped"] as const;
/** commercetools → CRM, or a CRM change applied to commercetools. */
export const logDirections = ["ct-to-crm", "crm-to-ct"] as const;

export const logQuerySchema = z.object({
  /** The log keeps only these two; the others are counted, not stored. */
  outcome: z.enum(["written", "failed"]).optional(),
  entity: z.enum(["person", "company", "order", "deal"]).optional(),
  direction: z.enum(logDirections).optional(),
  correlationId: z.string().max(128).optional(),
  /** Only batches logged at or after this instant (ISO 8601). */
  since: z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO date").optional(),
  limit: z.coerce.number<number | string>().int().min(1).max(500).default(100),
  /** The previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
});
export type LogQuery = z.input<typeof logQuerySchema>;

export const logItemSchema = z.object({
  /** `<batch key>.<index>`: stable, unique. */
  id: z.string(),
  source: z.enum(logSources),
  at: z.string(),
  correlationId: z.string(),
  connection: z.string(),
  entity: z.string(),
  sourceId: z.string(),
  outcome: z.enum(logOutcomes),
  crmId: z.string().optional(),
  /** Error class and message of a failure; never personal data. */
  detail: z.string().optional(),
  /** For `crm-to-ct`, `sourceId` is the commercetools record written (or the CRM ID when none was) and `crmId` the CRM record that changed. */
  direction: z.enum(logDirections).default("ct-to-crm"),
});
export type LogItem = z.infer<typeof logItemSchema>;

/** Oldest first; a page holds the entries of up to `limit` batches that pass the filter. */
export const logAnswerSchema = z.object({ items: z.array(logItemSchema), nextCursor: z.string().optional() });
export type LogAnswer = z.infer<typeof logAnswerSchema>;

export const logApi = {
  list: apiRoute({ method: "GET", path: "/log", permission: "View", query: logQuerySchema, answer: logAnswerSchema }),
};
