import type { FieldMapping, FieldOwner, MappingConfig, Transform } from "./mapping-config";
import type { Company, Person } from "./model";
import { isIsoCountry, normaliseEmail, normalisePhone } from "./normalise";
import { decideInbound, type FieldDecision } from "./ownership";

/**
 * CRM → commercetools, the pure part: what a CRM record says in the flat
 * field space the mapping configuration's source paths name (`firstName`,
 * `address.city`, `custom.loyaltyTier`, plus `customerGroup`), which of it
 * reaches commercetools by ownership, and what the link records afterwards.
 */

/** Canonical paths of a person's standard fields, as mapping sources name them. */
export const personPaths = [
  "firstName",
  "lastName",
  "email",
  "phone",
  "address.streetLine",
  "address.city",
  "address.postalCode",
  "address.region",
  "address.country",
  "emailConsent.granted",
] as const;
export type PersonPath = (typeof personPaths)[number];

/** Canonical paths of a company's standard fields. */
export const companyPaths = ["name", "email", "address.streetLine", "address.city", "address.postalCode", "address.region", "address.country"] as const;
export type CompanyPath = (typeof companyPaths)[number];

/** Where CRM-only facts land on the customer (custom fields the project installs) and its group. */
export const inboundTargets = {
  followUp: "custom.crmFollowUp",
  segments: "custom.crmSegments",
  openOpportunity: "custom.crmOpenOpportunity",
  customerGroup: "customerGroup",
} as const;

/** Values by field path; null and absent both mean empty. */
export type FieldValues = Record<string, unknown>;

/** What a CRM record says, as the inbound port's snapshot carries it (structurally: the domain does not import ports). */
export type CrmRecordFacts = {
  modifiedAt: string;
  fields: Partial<Record<string, string | boolean | null>>;
  crmFields: Record<string, unknown>;
};
export type CrmPersonFacts = CrmRecordFacts & { followUp: boolean; segments: string[] };

/** The CRM's knowledge kept on the link: when it last changed what we applied, and the values applied (CRM-only fields). */
export type FromCrm = { modifiedAt: string; applied: FieldValues; appliedAt: string; correlationId: string };

type Value = { field: string; owner: FieldOwner; value: unknown };

const atPath = (record: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), record);

/** A canonical person (as mapped from commercetools, or as the link's `written` keeps it) in the flat field space. */
export function personValues(person: Partial<Person>, customerGroup?: string): FieldValues {
  const values: FieldValues = Object.fromEntries(personPaths.map((path) => [path, atPath(person, path) ?? null]));
  for (const [name, value] of Object.entries(person.custom ?? {})) values[`custom.${name}`] = value;
  if (customerGroup !== undefined) values[inboundTargets.customerGroup] = customerGroup;
  return values;
}

/** A canonical company in the flat field space. */
export function companyValues(company: Partial<Company>): FieldValues {
  const values: FieldValues = Object.fromEntries(companyPaths.map((path) => [path, atPath(company, path) ?? null]));
  for (const [name, value] of Object.entries(company.custom ?? {})) values[`custom.${name}`] = value;
  return values;
}

/**
 * A CRM value back in commercetools' terms, through the mapping's transforms
 * in reverse; undefined when one of them cannot be reversed (a format, money
 * or localised value): such a field is not applied, and the decision says so.
 */
export function reverseTransforms(value: unknown, transforms: Transform[]): { value: unknown } | undefined {
  let out = value;
  for (const transform of [...transforms].reverse()) {
    if (out === null || out === undefined) return { value: null };
    switch (transform.type) {
      case "normalise":
      case "date":
        break;
      case "join":
        out = typeof out === "string" ? out.split(transform.separator).filter((s) => s !== "") : out;
        break;
      case "not":
        if (typeof out !== "boolean") return undefined;
        out = !out;
        break;
      case "lookup": {
        const keys = Object.entries(transform.table).filter(([, v]) => v === out);
        if (keys.length !== 1) return undefined;
        out = keys[0]![0];
        break;
      }
      default:
        return undefined;
    }
  }
  return { value: out };
}

const ownerOf = (fields: FieldMapping[], path: string): FieldOwner => fields.find((f) => f.source === path)?.owner ?? "commercetools";

/** Values a CRM record brings for mapped custom fields the CRM may set (owner `crm` or `first-write`). */
function mappedCustomValues(fields: FieldMapping[], crmFields: Record<string, unknown>, skipped: FieldDecision[]): Value[] {
  const out: Value[] = [];
  for (const mapping of fields) {
    if (!mapping.source.startsWith("custom.") || mapping.owner === "commercetools" || !(mapping.target in crmFields)) continue;
    const reversed = reverseTransforms(crmFields[mapping.target], mapping.transform);
    if (!reversed) {
      skipped.push({ field: mapping.source, old: null, new: crmFields[mapping.target], winner: "none", why: `${mapping.target}: its transforms cannot be reversed, not applied` });
      continue;
    }
    out.push({ field: mapping.source, owner: mapping.owner, value: reversed.value });
  }
  return out;
}

/** Standard values in commercetools' form; a value commercetools would refuse (a country that is not ISO) is left out with a decision. */
function standardValue(path: string, value: string | boolean | null | undefined, country: string | undefined, skipped: FieldDecision[]): { value: unknown } | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === "boolean") return { value };
  if (path === "email") return { value: normaliseEmail(value) ?? null };
  if (path === "phone") {
    const phone = normalisePhone(value, country);
    if (!phone) skipped.push({ field: path, old: null, new: value, winner: "none", why: "not a phone number, not applied" });
    return phone ? { value: phone } : undefined;
  }
  if (path === "address.country") {
    const code = value.trim().toUpperCase();
    if (!isIsoCountry(code)) skipped.push({ field: path, old: null, new: value, winner: "none", why: "not an ISO 3166 country code, not applied" });
    return isIsoCountry(code) ? { value: code } : undefined;
  }
  const trimmed = value.trim();
  return { value: trimmed === "" ? null : trimmed };
}

/**
 * The customer group a contact's segments put it in: the group of the first
 * segment of the map it has. `null` takes it out of a group the map manages;
 * undefined leaves the group alone (none of its segments is mapped, and its
 * group is one the merchant set, not the map).
 */
export function groupForSegments(segments: string[], segmentGroups: Record<string, string>, currentGroup: string | undefined): string | null | undefined {
  const found = Object.entries(segmentGroups).find(([segment]) => segments.includes(segment));
  if (found) return found[1];
  const managed = new Set(Object.values(segmentGroups));
  return currentGroup !== undefined && managed.has(currentGroup) ? null : undefined;
}

export type PersonChangeInput = {
  config: MappingConfig;
  snapshot: CrmPersonFacts;
  /** The customer now, as a canonical person (commerce-mapping), and its group's key. */
  current: Person;
  currentGroup: string | undefined;
  /** What we last wrote to the CRM (the link's `written`), and what we last applied from it. */
  written?: Record<string, unknown>;
  fromCrm?: FromCrm;
};

export type ChangeDecision = {
  /** Values to write to commercetools, by field path. */
  apply: FieldValues;
  decisions: FieldDecision[];
  echoes: string[];
};

/** Which of a CRM contact's values reach the customer, field by field. */
export function decidePersonChange(input: PersonChangeInput): ChangeDecision {
  const { config, snapshot } = input;
  const skipped: FieldDecision[] = [];
  const country = input.current.address?.country;
  const fields = config.entities.person.fields;
  const incoming: Value[] = [];
  for (const path of personPaths) {
    const value = standardValue(path, snapshot.fields[path], country, skipped);
    if (!value) continue;
    const owner = path === "emailConsent.granted" ? (config.consent.email?.owner ?? "commercetools") : ownerOf(fields, path);
    incoming.push({ field: path, owner, value: value.value });
  }
  incoming.push(...mappedCustomValues(fields, snapshot.crmFields, skipped));
  // An unset flag and no segments are the same as never having had them: nothing is written for them.
  incoming.push({ field: inboundTargets.followUp, owner: "crm", value: snapshot.followUp ? true : null });
  incoming.push({ field: inboundTargets.segments, owner: "crm", value: snapshot.segments.length ? [...snapshot.segments].sort() : null });
  const group = groupForSegments(snapshot.segments, config.inbound.segmentGroups, input.currentGroup);
  if (group !== undefined) incoming.push({ field: inboundTargets.customerGroup, owner: "crm", value: group });

  const current = personValues(input.current, input.currentGroup);
  const segmentsNow = current[inboundTargets.segments];
  if (Array.isArray(segmentsNow)) current[inboundTargets.segments] = [...segmentsNow].sort();
  const decided = decideInbound({
    incoming: Object.fromEntries(incoming.map((v) => [v.field, v.value])),
    owners: Object.fromEntries(incoming.map((v) => [v.field, v.owner])),
    lastKnown: lastKnown(input.written ? personValues(input.written as Partial<Person>) : undefined, input.fromCrm),
    current,
  });
  return { ...decided, decisions: [...skipped, ...decided.decisions] };
}

export type CompanyChangeInput = {
  config: MappingConfig;
  snapshot: CrmRecordFacts;
  current: Company;
  written?: Record<string, unknown>;
  fromCrm?: FromCrm;
};

/** Which of a CRM account's values reach the business unit, field by field. */
export function decideCompanyChange(input: CompanyChangeInput): ChangeDecision {
  const { config, snapshot } = input;
  const skipped: FieldDecision[] = [];
  const fields = config.entities.company.fields;
  const incoming: Value[] = [];
  for (const path of companyPaths) {
    const value = standardValue(path, snapshot.fields[path], input.current.address?.country, skipped);
    if (value && !(path === "name" && value.value === null)) incoming.push({ field: path, owner: ownerOf(fields, path), value: value.value });
  }
  incoming.push(...mappedCustomValues(fields, snapshot.crmFields, skipped));
  const decided = decideInbound({
    incoming: Object.fromEntries(incoming.map((v) => [v.field, v.value])),
    owners: Object.fromEntries(incoming.map((v) => [v.field, v.owner])),
    lastKnown: lastKnown(input.written ? companyValues(input.written as Partial<Company>) : undefined, input.fromCrm),
    current: companyValues(input.current),
  });
  return { ...decided, decisions: [...skipped, ...decided.decisions] };
}

/**
 * What the CRM was last known to hold: the standard fields we wrote to it,
 * and the CRM-only fields we applied from it. Only paths we know a value of
 * are present (an unknown path is never an echo).
 */
function lastKnown(written: FieldValues | undefined, fromCrm: FromCrm | undefined): FieldValues | undefined {
  if (!written && !fromCrm) return undefined;
  const known: FieldValues = { ...(fromCrm?.applied ?? {}) };
  for (const [path, value] of Object.entries(written ?? {})) if (!path.startsWith("custom.") && path !== inboundTargets.customerGroup) known[path] = value;
  return known;
}

/**
 * A change is stale when the CRM's modification time is older than the one
 * last applied; equal is a duplicate of what was applied. Either way nothing
 * of it is news.
 */
export function isStale(modifiedAt: string | undefined, fromCrm: FromCrm | undefined): boolean {
  return modifiedAt !== undefined && fromCrm !== undefined && compareInstants(modifiedAt, fromCrm.modifiedAt) <= 0;
}

/** Orders two ISO instants to the finest digit they carry (CRMs keep microseconds; Date keeps milliseconds). */
export function compareInstants(a: string, b: string): number {
  const parts = (t: string) => {
    const fraction = /\.(\d+)/.exec(t)?.[1] ?? "";
    return { ms: Date.parse(t.replace(/\.\d+/, "")), fraction: fraction.padEnd(9, "0") };
  };
  const [x, y] = [parts(a), parts(b)];
  return x.ms !== y.ms ? Math.sign(x.ms - y.ms) : x.fraction < y.fraction ? -1 : x.fraction > y.fraction ? 1 : 0;
}

function setPath(record: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  if (rest.length === 0) {
    const { [head!]: _dropped, ...others } = record;
    return value === null || value === undefined ? others : { ...others, [head!]: value };
  }
  const child = record[head!];
  return { ...record, [head!]: setPath(child && typeof child === "object" ? (child as Record<string, unknown>) : {}, rest.join("."), value) };
}

/**
 * The link's record of what the CRM holds after a change was applied: the
 * standard fields applied to commercetools go into `written` (the CRM and
 * commercetools now hold the same), so the outbound side finds nothing new in
 * our own commercetools write; the CRM-only fields go into `fromCrm.applied`.
 * `consent` is the consent state the customer now carries, when the CRM's
 * consent was applied.
 */
export function recordCrmState(
  written: Record<string, unknown>,
  previous: FromCrm | undefined,
  handled: { apply: FieldValues; modifiedAt: string; at: string; correlationId: string; consent?: unknown },
): { written: Record<string, unknown>; fromCrm: FromCrm } {
  let next = written;
  const applied: FieldValues = { ...(previous?.applied ?? {}) };
  for (const [path, value] of Object.entries(handled.apply)) {
    if (path.startsWith("custom.") || path === inboundTargets.customerGroup) applied[path] = value;
    else if (path === "emailConsent.granted") next = handled.consent === undefined ? next : setPath(next, "emailConsent", handled.consent);
    else next = setPath(next, path, value);
  }
  return { written: next, fromCrm: { modifiedAt: handled.modifiedAt, applied, appliedAt: handled.at, correlationId: handled.correlationId } };
}

/** A note of a deal for a customer (CRMs whose deals carry no products): status, value and currency, readable in the Merchant Center. */
export function openOpportunityNote(deal: { status: string; stage?: string; amount?: number; currency?: string }): string {
  const value = deal.amount === undefined ? "no value" : `${deal.amount.toFixed(2)}${deal.currency ? ` ${deal.currency}` : ""}`;
  return [deal.status, value, ...(deal.stage && deal.stage.toLowerCase() !== deal.status ? [deal.stage] : [])].join(" · ");
}

/** The draft cart's key for one deal: the same deal always names the same cart. */
export const dealCartKey = (crm: string, dealId: string) => `crm-${crm}-${dealId}`.slice(0, 256);

/** The key of a customer created from a CRM contact: creating it twice finds the first. */
export const crmCustomerKey = (crm: string, crmId: string) => `crm-${crm}-${crmId}`.slice(0, 256);

export type CartLine = { lineItemId: string; sku: string; quantity: number };
export type CartLineChange = { kind: "add"; sku: string; quantity: number } | { kind: "set"; lineItemId: string; quantity: number } | { kind: "remove"; lineItemId: string };

/** The deal's products summed per SKU, in first-seen order. */
export function dealLinesBySku(lines: { sku: string; quantity: number }[]): Map<string, number> {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return bySku;
}

/** What turns a cart's lines into the deal's: quantities set, new SKUs added, SKUs the deal dropped removed. */
export function cartLineChanges(current: CartLine[], desired: Map<string, number>): CartLineChange[] {
  const changes: CartLineChange[] = [];
  const seen = new Set<string>();
  for (const line of current) {
    const quantity = desired.get(line.sku);
    if (quantity === undefined || seen.has(line.sku)) changes.push({ kind: "remove", lineItemId: line.lineItemId });
    else if (quantity !== line.quantity) changes.push({ kind: "set", lineItemId: line.lineItemId, quantity });
    seen.add(line.sku);
  }
  for (const [sku, quantity] of desired) if (!seen.has(sku)) changes.push({ kind: "add", sku, quantity });
  return changes;
}

/** A deal becomes a cart at one of the configured stages; once a cart exists, it follows the deal whatever the stage. */
export const dealStartsCart = (stage: string | undefined, stages: string[]) => stage !== undefined && stages.includes(stage);
