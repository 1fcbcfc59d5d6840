import { z } from "zod";
import { errorClasses } from "../domain/errors";
import { apiRoute } from "./route";

export const jobRunOutcomes = ["running", "succeeded", "failed", "partial"] as const;

const count = z.number().int().min(0);

/** Records written and failed in one hour (the sync log keeps no unchanged or stale ones). */
export const hourActivitySchema = z.object({ hour: z.string(), written: count, failed: count });
export type HourActivity = z.infer<typeof hourActivitySchema>;

export const jobRunSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(jobRunOutcomes),
  counts: z.record(z.string(), z.number()).optional(),
  detail: z.string().optional(),
});

export const connectionStatusSchema = z.object({
  connection: z.string(),
  /** The connector's name (the `CRM` setting). */
  crm: z.string(),
  lastSuccessAt: z.string().optional(),
  lastErrorAt: z.string().optional(),
  lastError: z.string().optional(),
  /** The last 24 hours, oldest first. */
  processed: z.array(hourActivitySchema),
  /** Open and retrying failures, every class counted (0 when none). */
  openFailuresByClass: z.record(z.enum(errorClasses), count),
  lastJobRun: jobRunSchema.optional(),
  checkpointLagSeconds: count.optional(),
});
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

export const statusAnswerSchema = z.object({ connections: z.array(connectionStatusSchema) });
export type StatusAnswer = z.infer<typeof statusAnswerSchema>;

export const statusApi = {
  get: apiRoute({ method: "GET", path: "/status", permission: "View", answer: statusAnswerSchema }),
};
