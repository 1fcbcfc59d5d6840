import { z } from "zod";
import { mappedEntities } from "../domain/mapping-config";
import { apiRoute } from "./route";

export const driftKinds = ["missing_in_crm", "stale_in_crm", "orphaned_in_crm", "ownership_violation"] as const;

const count = z.number().int().min(0);

export const driftItemSchema = z.object({
  kind: z.enum(driftKinds),
  entity: z.enum(mappedEntities),
  sourceId: z.string(),
  crmId: z.string().optional(),
  /** Names of the fields that differ, never their values (they may be personal data). */
  fields: z.array(z.string()).optional(),
  repaired: z.boolean(),
  error: z.string().optional(),
});

const countsSchema = z.object({
  commercetools: count,
  crm: count,
  inSync: count,
  missing_in_crm: count,
  stale_in_crm: count,
  orphaned_in_crm: count,
  ownership_violation: count,
  repaired: count,
  repairFailed: count,
});

/** A rolling pass: scheduled runs compare a slice each, so the whole population is compared once per period. */
export const passProgressSchema = z.object({
  periodHours: z.number().positive(),
  slices: count,
  /** Runs that left their slice to the event path (the CRM's queue or allowance was spoken for). */
  steppedBack: count,
  /** The CRM budget share cannot compare the whole population within the period. */
  periodAtRisk: z.boolean(),
  compared: z.record(z.enum(mappedEntities), z.object({ done: count, total: count })),
  /** CRM people listed in the search for orphans, and whether the listing reached its end. */
  crmListed: count,
  crmListingDone: z.boolean(),
});

export const reconciliationReportSchema = z.object({
  connection: z.string(),
  crm: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  repair: z.boolean(),
  /** Orphans were deleted (RECONCILE_DELETE_ORPHANS); otherwise only reported. */
  deleteOrphans: z.boolean().optional(),
  counts: countsSchema,
  byEntity: z.partialRecord(z.enum(mappedEntities), countsSchema).optional(),
  /** Present for a rolling pass (scheduled runs); absent for a reconciliation run on demand. */
  pass: passProgressSchema.optional(),
  /** The first drifted records only (`truncated` says so); the counts are complete. */
  items: z.array(driftItemSchema),
  truncated: z.boolean(),
});
export type ReconciliationReportAnswer = z.infer<typeof reconciliationReportSchema>;

export const reconciliationApi = {
  /** The latest finished reconciliation (on demand, or a completed rolling pass); 404 until one has finished. */
  latest: apiRoute({ method: "GET", path: "/reconciliation/latest", permission: "View", answer: reconciliationReportSchema }),
  /** The rolling pass in progress, its report so far; 404 before the first scheduled slice. */
  current: apiRoute({ method: "GET", path: "/reconciliation/current", permission: "View", answer: reconciliationReportSchema }),
};
