import { z } from "zod";
import { mappedEntities, mappingConfigSchema } from "../domain/mapping-config";
import { apiRoute } from "./route";

/** What a mapping target must look like in the connection's CRM (its connector's rule), as a pattern that travels as JSON. */
export const targetRuleSchema = z.object({ pattern: z.string().min(1), message: z.string().min(1) });

/** The CRM this connection syncs to: the app shows its label and checks targets with its rule. */
export const connectionCrmSchema = z.object({ name: z.string().min(1), label: z.string().min(1), targetRule: targetRuleSchema });
export type ConnectionCrm = z.infer<typeof connectionCrmSchema>;

/** `savedBy` is the Merchant Center user's ID (from the session), `savedByName` the name the app knew them by. */
export const mappingVersionSchema = z.object({
  version: z.number().int().min(1),
  savedAt: z.string(),
  savedBy: z.string().optional(),
  savedByName: z.string().optional(),
});
export type MappingVersion = z.infer<typeof mappingVersionSchema>;

export const mappingsAnswerSchema = z.object({
  crm: connectionCrmSchema,
  /** The current document, defaults filled in; version 0 is the connector's default, before anything is saved. */
  current: mappingConfigSchema,
  version: z.number().int().min(0),
  history: z.array(mappingVersionSchema),
});
export type MappingsAnswer = z.infer<typeof mappingsAnswerSchema>;

export const configIssueSchema = z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() });

/** Issues name the path of what was wrong, as `validateMappingConfig` gives them. */
export const mappingValidationAnswerSchema = z.object({ valid: z.boolean(), issues: z.array(configIssueSchema) });
export type MappingValidationAnswer = z.infer<typeof mappingValidationAnswerSchema>;

export const mappingPreviewRequestSchema = z.object({
  /** The edited, unsaved document, checked as a save would check it. */
  mapping: mappingConfigSchema,
  entity: z.enum(mappedEntities),
  /** commercetools IDs; without them, the five most recently changed resources. */
  sampleIds: z.array(z.string().min(1).max(100)).max(20).optional(),
});
export type MappingPreviewRequest = z.input<typeof mappingPreviewRequestSchema>;

/** Per sample, the CRM fields it would be written as, or why it would not be sent (`(skipped)`, `(not sent)`). */
export const mappingPreviewAnswerSchema = z.object({
  samples: z.array(z.object({ sourceId: z.string(), fields: z.record(z.string(), z.unknown()) })),
});
export type MappingPreviewAnswer = z.infer<typeof mappingPreviewAnswerSchema>;

export const mappingRollbackRequestSchema = z.object({ version: z.number().int().min(0) }).strict();

export const mappingVersionParamsSchema = z.object({ version: z.coerce.number<number | string>().int().min(0) });

/** One saved version's document (0: the connector's default), so a rollback can say what it would change. */
export const mappingVersionDocumentSchema = z.object({ version: z.number().int().min(0), config: mappingConfigSchema });
export type MappingVersionDocument = z.infer<typeof mappingVersionDocumentSchema>;

/** The version a save or rollback created. */
export const mappingVersionAnswerSchema = z.object({ version: z.number().int().min(1) });

export const mappingsApi = {
  get: apiRoute({ method: "GET", path: "/mappings", permission: "View", answer: mappingsAnswerSchema }),
  /** Any document may be asked about: an invalid one is an answer with issues, not a 400. */
  validate: apiRoute({ method: "POST", path: "/mappings/validate", permission: "View", body: z.unknown(), answer: mappingValidationAnswerSchema }),
  preview: apiRoute({ method: "POST", path: "/mappings/preview", permission: "View", body: mappingPreviewRequestSchema, answer: mappingPreviewAnswerSchema }),
  save: apiRoute({ method: "PUT", path: "/mappings", permission: "Manage", body: mappingConfigSchema, answer: mappingVersionAnswerSchema }),
  rollback: apiRoute({ method: "POST", path: "/mappings/rollback", permission: "Manage", body: mappingRollbackRequestSchema, answer: mappingVersionAnswerSchema }),
  /** 404 for a version that was never saved. */
  version: apiRoute({ method: "GET", path: "/mappings/versions/:version", permission: "View", params: mappingVersionParamsSchema, answer: mappingVersionDocumentSchema }),
};
