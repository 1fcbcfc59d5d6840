import { z } from "zod";
import { actorSchema } from "./failures";
import { apiRoute } from "./route";

/** The commercetools resources a backfill reads, in the order the job syncs them. */
export const operationEntities = ["business-unit", "customer", "order"] as const;
export type OperationEntity = (typeof operationEntities)[number];

const count = z.number().int().min(0);
const text = z.string().trim().min(1).max(256);

/** Part of the data: one store, an ID range (commercetools IDs compare as text), or both. */
export const operationScopeSchema = z
  .object({ store: text.optional(), idFrom: text.optional(), idTo: text.optional() })
  .strict()
  .refine((scope) => !scope.idFrom || !scope.idTo || scope.idFrom <= scope.idTo, { message: "idFrom must not be after idTo", path: ["idTo"] });
export type OperationScope = z.infer<typeof operationScopeSchema>;

/**
 * What an operator can start: a backfill (every record again; with a scope, the
 * scoped re-sync of part of the data) or a reconciliation, which repairs drift
 * unless told only to report it.
 */
export const operationRequestSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("backfill"), entities: z.array(z.enum(operationEntities)).min(1).optional(), scope: operationScopeSchema.optional() }).strict(),
  z.object({ kind: z.literal("reconcile"), repair: z.boolean() }).strict(),
]);
export type OperationRequest = z.infer<typeof operationRequestSchema>;

export const operationStates = ["queued", "running", "succeeded", "failed"] as const;
export type OperationState = (typeof operationStates)[number];

/** How far a running operation is: records done per entity against the total counted when it started. */
export const operationProgressSchema = z.object({
  entities: z.array(z.object({ entity: z.enum(operationEntities), done: count, total: count.optional() })),
  done: count,
  total: count.optional(),
  ratePerSecond: z.number().min(0).optional(),
  secondsLeft: z.number().min(0).optional(),
  updatedAt: z.string(),
});
export type OperationProgress = z.infer<typeof operationProgressSchema>;

export const operationSchema = z.object({
  id: z.string(),
  connection: z.string(),
  request: operationRequestSchema,
  /** The Merchant Center user who started it (the session's verified ID, and the name the app showed). */
  requestedBy: actorSchema,
  requestedAt: z.string(),
  state: z.enum(operationStates),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  progress: operationProgressSchema.optional(),
  /** The job run's counts once it finished (`backfill.customer.written`, `reconcile.repaired`, …). */
  counts: z.record(z.string(), z.number()).optional(),
  /** Why it failed, or why it waits (for the job's next scheduled run). */
  detail: z.string().optional(),
});
export type Operation = z.infer<typeof operationSchema>;

export const operationsAnswerSchema = z.object({
  /** The queued or running operation; another cannot start until it ends. */
  active: operationSchema.optional(),
  /** The latest operations, newest first (the active one included). */
  recent: z.array(operationSchema),
});
export type OperationsAnswer = z.infer<typeof operationsAnswerSchema>;

/** A start refused because another operation is queued or running (409): that one. */
export const operationConflictSchema = z.object({ error: z.string(), operation: operationSchema });

export const operationParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const operationsApi = {
  list: apiRoute({ method: "GET", path: "/operations", permission: "View", answer: operationsAnswerSchema }),
  /** 404 for an unknown ID. */
  get: apiRoute({ method: "GET", path: "/operations/:id", permission: "View", params: operationParamsSchema, answer: operationSchema }),
  /** Records the operation, queued, and hands it to the job; 409 (`operationConflictSchema`) while another is queued or running. */
  start: apiRoute({ method: "POST", path: "/operations", permission: "Manage", body: operationRequestSchema, answer: operationSchema }),
};

/**
 * The service's signed requests to the job app (not part of the MC app's API):
 * a short-lived EdDSA JWT in `Authorization: Bearer`, for this audience, from
 * this issuer, carrying the SHA-256 of the exact body (base64url) in `bodyHashClaim`.
 */
export const jobCredential = {
  issuer: "ct-crm-sync-service",
  audience: "ct-crm-sync-job",
  bodyHashClaim: "body_sha256",
  lifetimeSeconds: 60,
} as const;
