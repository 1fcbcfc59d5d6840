import { z } from "zod";
import { errorClasses } from "../domain/errors";
import { failureSchema, failureStates } from "../domain/failure";
import { apiRoute } from "./route";

/** What a failure can be about: the synced entities, and messages that could not be read. */
export const failureEntities = ["person", "company", "order", "message"] as const;

/** `lastFailedAt` is newest first, `-lastFailedAt` oldest first; the others have one order each. */
export const failureSorts = ["lastFailedAt", "-lastFailedAt", "attempts", "entity", "errorClass"] as const;
export type FailureSort = (typeof failureSorts)[number];

const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO date");

/** commercetools → CRM, or CRM → commercetools. */
export const failureDirections = ["ct-to-crm", "crm-to-ct"] as const;

export const failureFilterSchema = z.object({
  crm: z.string().max(40).optional(),
  direction: z.enum(failureDirections).optional(),
  entity: z.enum(failureEntities).optional(),
  errorClass: z.enum(errorClasses).optional(),
  state: z.enum(failureStates).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
export type FailureFilter = z.infer<typeof failureFilterSchema>;

export const failureListQuerySchema = failureFilterSchema.extend({
  sort: z.enum(failureSorts).default("lastFailedAt"),
  limit: z.coerce.number<number | string>().int().min(1).max(200).default(20),
  /** An offset, as the previous page's `nextCursor` gave it. */
  cursor: z
    .string()
    .regex(/^\d{1,5}$/, "cursor must come from a previous page")
    .optional(),
});
export type FailureListQuery = z.input<typeof failureListQuerySchema>;

export const failureIdParamsSchema = z.object({ id: z.string().min(1).max(256) });

/** A list entry: the failure without its payload and history (the detail has them). */
export const failureSummarySchema = failureSchema.omit({ payload: true, history: true });
export type FailureSummary = z.infer<typeof failureSummarySchema>;

export const failureListAnswerSchema = z.object({ items: z.array(failureSummarySchema), nextCursor: z.string().optional() });
export type FailureListAnswer = z.infer<typeof failureListAnswerSchema>;

/** A replay that cannot run (an unreadable message) is a 409, so one replay either resolved or failed again. */
export const replayOutcomes = ["resolved", "failed"] as const;
export type ReplayOutcome = (typeof replayOutcomes)[number];
export const replayAnswerSchema = z.object({ outcome: z.enum(replayOutcomes), failure: failureSchema });
export type ReplayAnswer = z.infer<typeof replayAnswerSchema>;

export const bulkReplayRequestSchema = z.union([
  z.object({ ids: z.array(z.string().min(1)).min(1).max(200) }).strict(),
  z.object({ filter: failureFilterSchema }).strict(),
]);
export type BulkReplayRequest = z.infer<typeof bulkReplayRequestSchema>;

/** Per entry: besides resolved or failed, unknown IDs, entries that cannot be replayed, and replays that could not run now. */
export const bulkReplayOutcomes = [...replayOutcomes, "not_replayable", "not_found", "error"] as const;
export const bulkReplayAnswerSchema = z.object({
  results: z.array(z.object({ id: z.string(), outcome: z.enum(bulkReplayOutcomes), detail: z.string().optional() })),
});
export type BulkReplayAnswer = z.infer<typeof bulkReplayAnswerSchema>;

export const failuresApi = {
  list: apiRoute({ method: "GET", path: "/failures", permission: "View", query: failureListQuerySchema, answer: failureListAnswerSchema }),
  get: apiRoute({ method: "GET", path: "/failures/:id", permission: "View", params: failureIdParamsSchema, answer: failureSchema }),
  replay: apiRoute({ method: "POST", path: "/failures/:id/replay", permission: "Manage", params: failureIdParamsSchema, answer: replayAnswerSchema }),
  replayMany: apiRoute({ method: "POST", path: "/failures/replay", permission: "Manage", body: bulkReplayRequestSchema, answer: bulkReplayAnswerSchema }),
  dismiss: apiRoute({ method: "POST", path: "/failures/:id/dismiss", permission: "Manage", params: failureIdParamsSchema, answer: failureSchema }),
};
