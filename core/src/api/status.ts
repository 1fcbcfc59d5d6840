import { z } from "zod";
import { errorClasses } from "../domain/errors";
import { apiRoute } from "./route";

export const jobRunOutcomes = ["running", "succeeded", "failed", "partial"] as const;

const count = z.number().int().min(0);

/**
 * Records written and failed in one hour (the sync log keeps no unchanged or
 * stale ones), both directions; `inboundWritten` and `inboundFailed` are the
 * CRM changes among them (applied to commercetools, or not).
 */
export const hourActivitySchema = z.object({ hour: z.string(), written: count, failed: count, inboundWritten: count.optional(), inboundFailed: count.optional() });
export type HourActivity = z.infer<typeof hourActivitySchema>;

export const jobRunSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(jobRunOutcomes),
  counts: z.record(z.string(), z.number()).optional(),
  detail: z.string().optional(),
});

/**
 * How the connection is doing, in one word: `failing` (its latest writes
 * failed, several of them, and none succeeded since), `attention` (it syncs, but something
 * waits for a person or the job lags), `healthy`, or `idle` (nothing yet).
 */
export const healthStates = ["healthy", "attention", "failing", "idle"] as const;
export type HealthState = (typeof healthStates)[number];

/** Why the health is what it is; the app says what each means and links to what to do. */
export const healthReasonSchema = z.discriminatedUnion("kind", [
  /** Failed records waiting for review or for their next automatic attempt. */
  z.object({ kind: z.literal("open_failures"), count }),
  /** The CRM is slowing writes down: writes it throttled in the last hour, and throttled records waiting for their next attempt. */
  z.object({ kind: z.literal("throttled"), lastHour: count, waiting: count }),
  /** The job's delta sync has not caught up with commercetools changes this old. */
  z.object({ kind: z.literal("stale_checkpoint"), behindSeconds: count }),
  /** The job's last run failed or finished partly. */
  z.object({ kind: z.literal("job_failed"), at: z.string() }),
  /** Every write since this time failed (`count` of them, at least a few: one refused record is an open failure, not an outage). */
  z.object({ kind: z.literal("writes_failing"), since: z.string(), count }),
]);
export type HealthReason = z.infer<typeof healthReasonSchema>;

export const healthSchema = z.object({ state: z.enum(healthStates), reasons: z.array(healthReasonSchema) });
export type Health = z.infer<typeof healthSchema>;

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
  health: healthSchema,
});
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

export const statusAnswerSchema = z.object({ connections: z.array(connectionStatusSchema) });
export type StatusAnswer = z.infer<typeof statusAnswerSchema>;

export const statusApi = {
  get: apiRoute({ method: "GET", path: "/status", permission: "View", answer: statusAnswerSchema }),
};
