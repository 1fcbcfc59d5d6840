import { z } from "zod";

/**
 * The mapping configuration: data, not code. One document per CRM connection,
 * stored versioned in the `crm-sync-config` container and edited in the
 * Merchant Center app, which imports this same schema — so this module must
 * stay free of node-only imports.
 *
 * Field mappings add to (or override) what the adapter writes by itself: the
 * adapter's built-in mapping covers the standard fields and external IDs; the
 * configured ones land in the canonical record's `extra` and are written
 * as-is under their CRM field name.
 */

export const owners = ["commercetools", "crm", "first-write"] as const;
export type FieldOwner = (typeof owners)[number];

export const mappedEntities = ["person", "company", "order"] as const;
export type MappedEntity = (typeof mappedEntities)[number];

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * Paths into the canonical record (`email`, `address.country`,
 * `lifetimeValue`, `emailConsent.at`) or into the commercetools resource's
 * custom fields (`custom.<fieldName>`).
 */
const sourcePath = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/, "must be a dotted path such as address.country or custom.loyaltyTier");

export const transformSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("normalise"), as: z.enum(["email", "phone", "trim", "upper", "lower", "country"]) }),
  /** `{firstName} {lastName}`: placeholders are source paths; empty when every placeholder is empty. */
  z.object({ type: z.literal("format"), template: z.string().min(1) }),
  z.object({ type: z.literal("lookup"), table: z.record(z.string(), scalar), default: scalar.optional() }),
  /** Picks a localised string (commercetools LocalizedString) in the configured locale, with fallback. */
  z.object({ type: z.literal("locale"), locale: z.string().optional() }),
  /** Money in the CRM's unit: major (12.34), minor (the currency's cents), hundredths (Close's cents). */
  z.object({ type: z.literal("money"), unit: z.enum(["major", "minor", "hundredths"]) }),
  z.object({ type: z.literal("date"), as: z.enum(["date", "datetime"]) }),
  /** Lists become `a;b` (Salesforce multi-select picklists) or any separator. */
  z.object({ type: z.literal("join"), separator: z.string().default(";") }),
  /** Booleans inverted (consent granted → HasOptedOutOfEmail). */
  z.object({ type: z.literal("not") }),
]);
export type Transform = z.infer<typeof transformSchema>;

export const fieldMappingSchema = z.object({
  source: sourcePath,
  target: z.string().min(1),
  transform: z.array(transformSchema).default([]),
  owner: z.enum(owners).default("commercetools"),
});
export type FieldMapping = z.infer<typeof fieldMappingSchema>;

const consentTargetSchema = z.object({
  /** CRM field holding the flag. */
  target: z.string().min(1),
  /** Write `!granted` (opt-out fields such as HasOptedOutOfEmail). */
  invert: z.boolean().default(false),
  atTarget: z.string().min(1).optional(),
  sourceTarget: z.string().min(1).optional(),
  /**
   * Which system enforces consent: `commercetools` (consent is written to the
   * CRM, a CRM edit is restored) or `crm` (the CRM's flag is applied to the
   * customer's consent fields, newest change winning).
   */
  owner: z.enum(["commercetools", "crm"]).default("commercetools"),
});

export const matchingRules = ["link", "externalId", "email", "customKey"] as const;

const segmentConditionSchema = z
  .object({
    store: z.array(z.string()).min(1).optional(),
    channel: z.array(z.string()).min(1).optional(),
    currency: z.array(z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")).min(1).optional(),
    locale: z.array(z.string()).min(1).optional(),
    country: z.array(z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as DE")).min(1).optional(),
    customerGroup: z.array(z.string()).min(1).optional(),
  })
  .strict();

export const segmentRuleSchema = z.object({
  name: z.string().min(1),
  entities: z.array(z.enum(mappedEntities)).min(1).default([...mappedEntities]),
  when: segmentConditionSchema,
  /** CRM fields to set (owner, pipeline, list, record type) — e.g. `{"OwnerId": "005…", "RecordTypeId": "012…"}`. */
  set: z.record(z.string(), scalar).default({}),
  /** Sends matching records to another CRM connection (separate regional CRMs); others skip them. */
  connection: z.string().min(1).optional(),
});
export type SegmentRule = z.infer<typeof segmentRuleSchema>;

const entitySchema = z.object({ fields: z.array(fieldMappingSchema).default([]) });

/**
 * What CRM changes do in commercetools (the CRM → commercetools direction).
 * Which fields a change may touch is the fields' `owner`; this section holds
 * what is not a field.
 */
export const inboundSchema = z
  .object({
    /** A CRM contact with no commercetools customer: left alone, or a customer created for it (ExternalAuth, no password). */
    unknownPeople: z.enum(["ignore", "create"]).default("ignore"),
    /** CRM segment → customer group key: a contact's segments put its customer in the group of the first listed segment it has (segments drive pricing). */
    segmentGroups: z.record(z.string().min(1), z.string().min(1)).default({}),
    carts: z
      .object({
        /** Deal stages (the CRM's labels) at which a deal with products becomes a draft cart; none: no carts. */
        stages: z.array(z.string().min(1)).default([]),
        /** The cart's currency when the deal names none. */
        currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR").default("EUR"),
      })
      .default({ stages: [], currency: "EUR" }),
  })
  .strict();
export type InboundConfig = z.infer<typeof inboundSchema>;
const inboundDefaults: InboundConfig = { unknownPeople: "ignore", segmentGroups: {}, carts: { stages: [], currency: "EUR" } };

/** A connector's name (core/src/crm/<name>). */
const crmNameSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a connector name (lower-case letters, digits and dashes)");

/**
 * What a mapping target must look like in one CRM, declared by its connector.
 * A pattern string rather than a RegExp so it travels to the MC app as JSON.
 */
export type TargetRule = { pattern: string; message: string };

export const mappingConfigSchema = z
  .object({
    schemaVersion: z.literal(1),
    crm: crmNameSchema,
    locale: z
      .object({ preferred: z.string().optional(), fallbacks: z.array(z.string()).default([]) })
      .default({ fallbacks: [] }),
    entities: z.object({ person: entitySchema, company: entitySchema, order: entitySchema }),
    matching: z
      .object({
        rules: z.array(z.enum(matchingRules)).min(1).default(["link", "externalId", "email"]),
        /** Further identity keys: a commercetools path matched against a CRM field. */
        customKeys: z.array(z.object({ source: sourcePath, target: z.string().min(1) })).default([]),
        /** Guests (orders with only an email): attach to the person found by email, else create one flagged as guest. */
        guests: z.enum(["attach-or-create", "create"]).default("attach-or-create"),
      })
      .default({ rules: ["link", "externalId", "email"], customKeys: [], guests: "attach-or-create" }),
    consent: z
      .object({ email: consentTargetSchema.optional(), sms: consentTargetSchema.optional() })
      .default({}),
    segmentation: z.object({ rules: z.array(segmentRuleSchema).default([]) }).default({ rules: [] }),
    validation: z
      .object({
        /** Canonical paths that must have a value before the record may be written. */
        required: z.object({
          person: z.array(sourcePath).default([]),
          company: z.array(sourcePath).default([]),
          order: z.array(sourcePath).default([]),
        }),
      })
      .default({ required: { person: [], company: [], order: [] } }),
    inbound: inboundSchema.default(inboundDefaults),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const entity of mappedEntities) {
      const seen = new Set<string>();
      config.entities[entity].fields.forEach((field, index) => {
        if (seen.has(field.target)) {
          ctx.addIssue({ code: "custom", path: ["entities", entity, "fields", index, "target"], message: `${field.target} is mapped twice` });
        }
        seen.add(field.target);
      });
    }
    if (config.matching.rules.includes("customKey") && config.matching.customKeys.length === 0) {
      ctx.addIssue({ code: "custom", path: ["matching", "customKeys"], message: "the customKey rule needs at least one custom key" });
    }
  });
export type MappingConfig = z.infer<typeof mappingConfigSchema>;
/** What a person types: defaults not filled in yet. */
export type MappingConfigInput = z.input<typeof mappingConfigSchema>;

export type ConfigIssue = { path: (string | number)[]; message: string };

/** The CRM a configuration is checked for: its name and what its targets must look like. */
export type MappingTarget = { crm: string; targetRule: TargetRule };

/** Target names must be ones the CRM can address, or writes fail far from the configuration that caused them. */
function targetIssues(config: MappingConfig, target: MappingTarget): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.crm !== target.crm) issues.push({ path: ["crm"], message: `this connection syncs to ${target.crm}, not ${config.crm}` });
  const pattern = new RegExp(target.targetRule.pattern);
  for (const entity of mappedEntities) {
    config.entities[entity].fields.forEach((field, index) => {
      if (!pattern.test(field.target)) issues.push({ path: ["entities", entity, "fields", index, "target"], message: target.targetRule.message });
    });
  }
  for (const kind of ["email", "sms"] as const) {
    const consent = config.consent[kind];
    for (const key of ["target", "atTarget", "sourceTarget"] as const) {
      const value = consent?.[key];
      if (value !== undefined && !pattern.test(value)) issues.push({ path: ["consent", kind, key], message: target.targetRule.message });
    }
  }
  return issues;
}

/**
 * Parses a configuration and, given the connection's CRM, checks it against
 * that CRM's target rule; issues name the path of what was wrong (the MC app
 * shows them at their field).
 */
export function validateMappingConfig(
  input: unknown,
  target?: MappingTarget,
): { valid: true; config: MappingConfig; issues: [] } | { valid: false; issues: ConfigIssue[] } {
  const result = mappingConfigSchema.safeParse(input);
  if (!result.success) {
    return {
      valid: false,
      issues: result.error.issues.map((issue) => ({
        path: issue.path.map((p) => (typeof p === "number" ? p : String(p))),
        message: issue.message,
      })),
    };
  }
  const issues = target ? targetIssues(result.data, target) : [];
  return issues.length > 0 ? { valid: false, issues } : { valid: true, config: result.data, issues: [] };
}

/** What every CRM's default shares: standard matching, required email/name/total; connectors add consent and fields. */
export function baseMappingConfig(crm: string): MappingConfigInput {
  return {
    schemaVersion: 1,
    crm,
    locale: { fallbacks: ["en"] },
    entities: { person: { fields: [] }, company: { fields: [] }, order: { fields: [] } },
    matching: { rules: ["link", "externalId", "email"], customKeys: [], guests: "attach-or-create" },
    consent: {},
    segmentation: { rules: [] },
    validation: { required: { person: ["email"], company: ["name"], order: ["total"] } },
    inbound: inboundDefaults,
  };
}
