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

export const reconciliationReportSchema = z.object({
  connection: z.string(),
  crm: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  repair: z.boolean(),
  counts: z.object({
    commercetools: count,
    crm: count,
    inSync: count,
    missing_in_crm: count,
    stale_in_crm: count,
    orphaned_in_crm: count,
    ownership_violation: count,
    repaired: count,
    repairFailed: count,
  }),
  /** The first drifted records only (`truncated` says so); the counts are complete. */
  items: z.array(driftItemSchema),
  truncated: z.boolean(),
});
export type ReconciliationReportAnswer = z.infer<typeof reconciliationReportSchema>;

export const reconciliationApi = {
  /** 404 until a reconciliation has run. */
  latest: apiRoute({ method: "GET", path: "/reconciliation/latest", permission: "View", answer: reconciliationReportSchema }),
};
