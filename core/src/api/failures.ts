import { z } from "zod";
import { errorClasses } from "../domain/errors";
import { failureSchema, failureStates } from "../domain/failure";
import { apiRoute } from "./route";

/** What a failure can be about: the synced entities, messages that could not be read, CRM deals and CRM deliveries that could not be read. */
export const failureEntities = ["person", "company", "order", "message", "deal", "delivery"] as const;

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

/**
 * Who or what a failure is about, read live from commercetools when it is
 * asked for (users with the View permission): the stored payload stays
 * redacted. A person's name and email, a company's name, an order's number and
 * the email it was placed with; absent when the record is gone or has none.
 */
export const failureSubjectSchema = z.object({
  name: z.string().optional(),
  email: z.string().optional(),
  company: z.string().optional(),
  orderNumber: z.string().optional(),
});
export type FailureSubject = z.infer<typeof failureSubjectSchema>;

/** A list entry with its subject (absent when there is nothing to read: an unreadable message, a guest's own record). */
export const failureListItemSchema = failureSummarySchema.extend({ subject: failureSubjectSchema.optional() });
export type FailureListItem = z.infer<typeof failureListItemSchema>;

export const failureListAnswerSchema = z.object({ items: z.array(failureListItemSchema), nextCursor: z.string().optional() });
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

const money = z.object({ centAmount: z.number().int(), currencyCode: z.string(), fractionDigits: z.number().int().min(0) });

/** A synced person an ambiguous guest order may belong to, as commercetools and the CRM know them now. */
export const matchCandidateSchema = z.object({
  /** The person's commercetools customer; the choice names it. */
  sourceId: z.string(),
  crmId: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  /** Keys of the stores the customer belongs to (none: every store). */
  stores: z.array(z.string()),
  lastOrder: z.object({ orderNumber: z.string().optional(), at: z.string(), total: money }).optional(),
});
export type MatchCandidate = z.infer<typeof matchCandidateSchema>;

/** The Merchant Center user who took a decision: the session's verified ID, and the name the app knew them by. */
export const actorSchema = z.object({ userId: z.string(), name: z.string().optional() });
export type Actor = z.infer<typeof actorSchema>;

/** Who a guest email is, as a reviewer decided: a synced person, or (no `person`) a CRM record of its own. */
export const guestDecisionSchema = z.object({
  person: z.object({ sourceId: z.string(), crmId: z.string(), name: z.string().optional(), email: z.string().optional() }).optional(),
  decidedBy: actorSchema,
  decidedAt: z.string(),
});
export type GuestDecision = z.infer<typeof guestDecisionSchema>;

/**
 * What a reviewer needs beside the stored failure, read live: its subject and,
 * for a guest order in review as an ambiguous match, the people it may belong
 * to (empty once it is no longer ambiguous) or the decision already taken.
 */
export const failureReviewSchema = z.object({
  subject: failureSubjectSchema.optional(),
  match: z.object({ candidates: z.array(matchCandidateSchema), decision: guestDecisionSchema.optional() }).optional(),
});
export type FailureReview = z.infer<typeof failureReviewSchema>;

/**
 * The reviewer's answer to an ambiguous guest order: the order is that
 * customer's (`person`, a candidate's commercetools ID), or its guest gets a
 * CRM record of its own (`separate`). It stands for later orders of the same
 * email, and the order is written at once.
 */
export const resolveMatchRequestSchema = z.union([
  z.object({ person: z.string().min(1).max(256) }).strict(),
  z.object({ separate: z.literal(true) }).strict(),
]);
export type ResolveMatchRequest = z.infer<typeof resolveMatchRequestSchema>;
export const resolveMatchAnswerSchema = z.object({ outcome: z.enum(replayOutcomes), failure: failureSchema, decision: guestDecisionSchema });
export type ResolveMatchAnswer = z.infer<typeof resolveMatchAnswerSchema>;

export const failuresApi = {
  list: apiRoute({ method: "GET", path: "/failures", permission: "View", query: failureListQuerySchema, answer: failureListAnswerSchema }),
  get: apiRoute({ method: "GET", path: "/failures/:id", permission: "View", params: failureIdParamsSchema, answer: failureSchema }),
  replay: apiRoute({ method: "POST", path: "/failures/:id/replay", permission: "Manage", params: failureIdParamsSchema, answer: replayAnswerSchema }),
  replayMany: apiRoute({ method: "POST", path: "/failures/replay", permission: "Manage", body: bulkReplayRequestSchema, answer: bulkReplayAnswerSchema }),
  dismiss: apiRoute({ method: "POST", path: "/failures/:id/dismiss", permission: "Manage", params: failureIdParamsSchema, answer: failureSchema }),
  review: apiRoute({ method: "GET", path: "/failures/:id/review", permission: "View", params: failureIdParamsSchema, answer: failureReviewSchema }),
  /** 409 when the failure is not an ambiguous guest order waiting for review, or the person is not (or no longer) a candidate. */
  resolveMatch: apiRoute({
    method: "POST",
    path: "/failures/:id/resolve-match",
    permission: "Manage",
    params: failureIdParamsSchema,
    body: resolveMatchRequestSchema,
    answer: resolveMatchAnswerSchema,
  }),
};
