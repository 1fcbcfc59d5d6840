import { mergeConsent, writtenConsent } from "../domain/consent";
import type { SyncErrorDetails } from "../domain/errors";
import { mapFields } from "../domain/field-mapping";
import type { FieldOwner, MappingConfig } from "../domain/mapping-config";
import type { CanonicalRecord, ConsentState, EntityKind } from "../domain/model";
import { decideOutbound, type FieldDecision, type OwnedValue } from "../domain/ownership";
import { routeRecord, type SegmentFacts } from "../domain/segmentation";
import { describeProblems, validateRecord } from "../domain/validation";
import type { CallContext } from "../ports/crm-outbound";
import type { Logger } from "../ports/logger";
import type { SyncLink } from "../state/link-store";

/**
 * The sync model applied to one record just before it is written: consent
 * (newest event wins), validation, segmentation, configured field mappings and
 * field ownership. What comes out is the canonical record with the mapped CRM
 * fields in `extra` and without the raw commercetools custom fields, so the
 * writer's hash covers exactly the mapped values (raw noise never reaches the CRM).
 */
export type Prepared =
  | { kind: "ready"; record: CanonicalRecord; decisions: FieldDecision[] }
  | { kind: "skip"; reason: string }
  | { kind: "fail"; error: SyncErrorDetails };

export function segmentFacts(record: CanonicalRecord): SegmentFacts {
  switch (record.kind) {
    case "person":
      return {
        stores: record.storeKeys,
        currency: record.lifetimeValue?.currencyCode,
        locale: record.locale,
        country: record.address?.country,
        customerGroup: record.customerGroupKey,
      };
    case "company":
      return { stores: record.storeKeys, country: record.address?.country };
    case "order":
      return { stores: record.storeKey ? [record.storeKey] : undefined, currency: record.total.currencyCode, locale: record.locale, country: record.country };
  }
}

function consentValues(config: MappingConfig, record: CanonicalRecord): OwnedValue[] {
  if (record.kind !== "person") return [];
  const out: OwnedValue[] = [];
  for (const [kind, state] of [
    ["email", record.emailConsent],
    ["sms", record.smsConsent],
  ] as [keyof MappingConfig["consent"], ConsentState | undefined][]) {
    const target = config.consent[kind];
    if (!target || !state) continue;
    // Consent the CRM enforces is never written from commercetools (the inbound side applies the CRM's).
    const owner = target.owner;
    out.push({ field: target.target, owner, value: target.invert ? !state.granted : state.granted });
    if (target.atTarget) out.push({ field: target.atTarget, owner, value: state.at });
    if (target.sourceTarget && state.source) out.push({ field: target.sourceTarget, owner, value: state.source });
  }
  return out;
}

/** Pure: everything but logging. */
export function prepareRecord(
  config: MappingConfig,
  connection: string,
  entity: EntityKind,
  input: CanonicalRecord,
  link: SyncLink | undefined,
): Prepared {
  const { custom, ...rest } = input as CanonicalRecord & { custom?: Record<string, unknown> };
  let record = rest as CanonicalRecord;
  const decisions: FieldDecision[] = [];

  if (record.kind === "person") {
    for (const key of ["emailConsent", "smsConsent"] as const) {
      const merged = mergeConsent(writtenConsent(link?.written, key), record[key]);
      if (merged.kept === "previous" && record[key]) {
        decisions.push({ field: key, old: merged.state?.granted, new: record[key]?.granted, winner: "none", why: merged.why });
      }
      record = { ...record, [key]: merged.state };
    }
  }

  const problems = validateRecord(record, config.validation.required[entity]);
  if (Object.keys(problems).length > 0) {
    return { kind: "fail", error: { errorClass: "validation", message: `not sent: ${describeProblems(problems)}`, fields: problems } };
  }

  const route = routeRecord(entity, segmentFacts(record), config.segmentation.rules);
  if (route.connection && route.connection !== connection) {
    return { kind: "skip", reason: `routed to connection ${route.connection} by segment ${route.rule}` };
  }

  const source = { ...record, custom: custom ?? {} };
  const country = record.kind === "order" ? record.country : record.address?.country;
  const mapped = mapFields(source, config.entities[entity].fields, {
    locale: config.locale,
    recordLocale: record.kind === "company" ? undefined : record.locale,
    country,
  });
  const owners = new Map<string, FieldOwner>(config.entities[entity].fields.map((f) => [f.target, f.owner]));
  const values: OwnedValue[] = [
    ...consentValues(config, record),
    ...Object.entries(route.set).map(([field, value]): OwnedValue => ({ field, owner: "commercetools", value })),
    ...Object.entries(mapped).map(([field, value]): OwnedValue => ({ field, owner: owners.get(field) ?? "commercetools", value })),
  ];
  const lastWritten = link ? ((link.written.extra as Record<string, unknown> | undefined) ?? {}) : undefined;
  const outcome = decideOutbound({ values, lastWritten });
  decisions.push(...outcome.decisions);
  const extra = { ...(record.extra ?? {}), ...(outcome.write as Record<string, string | number | boolean | null>) };
  if (Object.keys(extra).length > 0) record = { ...record, extra };
  return { kind: "ready", record, decisions };
}

/** Values in decision logs: enough to see that and how a field changed, never the personal data itself. */
export function redactValue(value: unknown): unknown {
  if (typeof value === "string") return value.length <= 1 ? "*" : `${value.slice(0, 1)}…(${value.length})`;
  if (value === undefined) return null;
  return value;
}

/** Applies the current mapping configuration (loaded through `config`) and logs each overwrite decision. */
export class SyncModel {
  constructor(
    readonly config: () => Promise<MappingConfig>,
    private readonly connection: string,
    private readonly logger: Logger,
  ) {}

  async prepare(entity: EntityKind, record: CanonicalRecord, link: SyncLink | undefined, ctx: CallContext): Promise<Prepared> {
    const prepared = prepareRecord(await this.config(), this.connection, entity, record, link);
    if (prepared.kind === "ready") {
      for (const d of prepared.decisions) {
        this.logger.info("field decision", {
          correlationId: ctx.correlationId,
          entity,
          sourceId: record.sourceId,
          field: d.field,
          old: redactValue(d.old),
          new: redactValue(d.new),
          winner: d.winner,
          why: d.why,
        });
      }
    }
    return prepared;
  }
}
