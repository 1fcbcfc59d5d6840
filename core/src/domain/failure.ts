import { z } from "zod";
import { errorClasses } from "./errors";

export const failureStates = ["open", "retrying", "resolved", "dismissed"] as const;
export type FailureState = (typeof failureStates)[number];

export const failureAttemptSchema = z.object({
  at: z.string(),
  errorClass: z.enum(errorClasses),
  message: z.string(),
  status: z.number().optional(),
  correlationId: z.string(),
});

/**
 * One entry per failed record (not per message), in container `crm-sync-failures`.
 * The payload is what we sent (or meant to send), minimised to what a reviewer and
 * replay need; replay never resends it: it re-reads current state.
 */
export const failureSchema = z.object({
  id: z.string(),
  connection: z.string(),
  crm: z.string(),
  direction: z.enum(["ct-to-crm", "crm-to-ct"]),
  entity: z.string(),
  sourceId: z.string(),
  /** Highest commercetools version that failed: a later write of an older version must not resolve the entry. */
  sourceVersion: z.number().optional(),
  errorClass: z.enum(errorClasses),
  message: z.string(),
  status: z.number().optional(),
  code: z.string().optional(),
  fields: z.record(z.string(), z.string()).optional(),
  payload: z.unknown().optional(),
  attempts: z.number().int().min(1),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
  nextAttemptAt: z.string().optional(),
  resolvedAt: z.string().optional(),
  correlationId: z.string(),
  state: z.enum(failureStates),
  /** Most recent attempts first, at most 20. */
  history: z.array(failureAttemptSchema),
});
export type Failure = z.infer<typeof failureSchema>;

export const maxFailureHistory = 20;
