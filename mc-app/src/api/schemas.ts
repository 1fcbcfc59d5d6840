import { z } from 'zod';
import { errorClasses, type ErrorClass } from '../../../core/src/domain/errors';
import { failureSchema, failureStates, type Failure, type FailureState } from '../../../core/src/domain/failure';

/**
 * The service API's answers (docs/service-api.md), parsed with zod where they
 * enter the app. Failures are core's own `failureSchema` (the bundle compiles
 * core/src/domain), so the app reads exactly what the service stores.
 */
export { errorClasses, failureSchema, failureStates };
export type { ErrorClass, Failure, FailureState };

/** The entities the service's failure filter accepts (service/src/routes/failures.ts). */
export const failureEntities = ['person', 'company', 'order', 'message'] as const;

/** A list entry: the failure without its payload and history (the detail view loads those). */
export const failureSummarySchema = failureSchema.omit({ payload: true, history: true });
export type FailureSummary = z.infer<typeof failureSummarySchema>;

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
