import { z } from 'zod';
import type { Failure as CoreFailure } from '../../../core/src/domain/failure';
import type { ErrorClass as CoreErrorClass } from '../../../core/src/domain/errors';

/**
 * The service API's answers (docs/service-api.md), parsed with zod where they
 * enter the app. The failure shapes mirror `failureSchema` in
 * core/src/domain/failure.ts; the type assertions at the bottom make `tsc` fail
 * if the two drift apart. (Only types are imported from core: the bundle does not
 * pull core's runtime in.)
 */
export const errorClasses = [
  'validation',
  'not_found',
  'conflict',
  'ambiguous_match',
  'throttled',
  'crm_unavailable',
  'auth',
  'unknown',
] as const;
export type ErrorClass = (typeof errorClasses)[number];

/** The entities the service's failure filter accepts (service/src/routes/failures.ts). */
export const failureEntities = ['person', 'company', 'order', 'message'] as const;

export const failureStates = ['open', 'retrying', 'resolved', 'dismissed'] as const;
export type FailureState = (typeof failureStates)[number];

export const failureAttemptSchema = z.object({
  at: z.string(),
  errorClass: z.enum(errorClasses),
  message: z.string(),
  status: z.number().optional(),
  correlationId: z.string(),
});

export const failureSummarySchema = z.object({
  id: z.string(),
  connection: z.string(),
  crm: z.string(),
  direction: z.enum(['ct-to-crm', 'crm-to-ct']),
  entity: z.string(),
  sourceId: z.string(),
  errorClass: z.enum(errorClasses),
  message: z.string(),
  status: z.number().optional(),
  code: z.string().optional(),
  fields: z.record(z.string(), z.string()).optional(),
  attempts: z.number().int(),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
  nextAttemptAt: z.string().optional(),
  resolvedAt: z.string().optional(),
  correlationId: z.string(),
  state: z.enum(failureStates),
});
export type FailureSummary = z.infer<typeof failureSummarySchema>;

export const failureSchema = failureSummarySchema.extend({
  payload: z.unknown().optional(),
  history: z.array(failureAttemptSchema),
});
export type Failure = z.infer<typeof failureSchema>;

export const failureListSchema = z.object({
  items: z.array(failureSummarySchema),
  nextCursor: z.string().optional(),
});
export type FailureList = z.infer<typeof failureListSchema>;

export const replayOutcomeSchema = z.enum(['resolved', 'failed']);
export type ReplayOutcome = z.infer<typeof replayOutcomeSchema>;

export const replayOneSchema = z.object({ outcome: replayOutcomeSchema, failure: failureSchema });
/** Bulk results may also say `not_found`, `not_replayable` or `error` (with a detail) for single entries. */
export const replayManySchema = z.object({
  results: z.array(z.object({ id: z.string(), outcome: z.string(), detail: z.string().optional() })),
});

export const connectionStatusSchema = z.object({
  connection: z.string(),
  crm: z.string(),
  lastSuccessAt: z.string().optional(),
  lastErrorAt: z.string().optional(),
  lastError: z.string().optional(),
  processed: z.array(
    // `unchanged` is in docs/service-api.md; the service may leave it out (then 0).
    z.object({ hour: z.string(), written: z.number(), unchanged: z.number().default(0), failed: z.number() })
  ),
  openFailuresByClass: z.partialRecord(z.enum(errorClasses), z.number()),
  lastJobRun: z
    .object({ startedAt: z.string(), finishedAt: z.string().optional(), outcome: z.string() })
    .optional(),
  checkpointLagSeconds: z.number().optional(),
});
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;
export const statusSchema = z.object({ connections: z.array(connectionStatusSchema) });

export const mappingsSchema = z.object({
  /** The saved document; the Mappings page edits it as core's `MappingConfigInput` and validates it with core's own schema. */
  current: z.record(z.string(), z.unknown()),
  version: z.number(),
  history: z.array(z.object({ version: z.number(), savedAt: z.string(), savedBy: z.string().optional() })),
});
export type Mappings = z.infer<typeof mappingsSchema>;

export const validationSchema = z.object({
  valid: z.boolean(),
  issues: z.array(z.object({ path: z.union([z.string(), z.array(z.union([z.string(), z.number()]))]), message: z.string() })),
});
export type ValidationAnswer = z.infer<typeof validationSchema>;

export const previewSchema = z.object({
  samples: z.array(z.object({ sourceId: z.string(), fields: z.record(z.string(), z.unknown()) })),
});
export type PreviewAnswer = z.infer<typeof previewSchema>;

export const versionSchema = z.object({ version: z.number() });

export const errorAnswerSchema = z.object({ error: z.string() });

// Compile-time guards: the app's view of a failure must stay the core's.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const failureMatchesCore: Same<Failure, CoreFailure> = true;
const errorClassMatchesCore: Same<ErrorClass, CoreErrorClass> = true;
void failureMatchesCore;
void errorClassMatchesCore;
