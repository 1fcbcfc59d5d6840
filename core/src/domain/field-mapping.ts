import type { FieldMapping, MappingConfig, Transform } from "./mapping-config";
import type { Money } from "./model";
import { toHundredths, toMajorUnits } from "./money";
import { normaliseEmail, normalisePhone, pickLocale } from "./normalise";

/**
 * Applies a mapping configuration's field mappings: canonical record (plus the
 * resource's raw custom fields under `custom`) → CRM field values. Pure.
 */
export type FieldValue = string | number | boolean | null;
export type MappedFields = Record<string, FieldValue>;

export type MappingContext = {
  /** Locale preference: the transform's own, then the record's, then the configured fallbacks. */
  locale: MappingConfig["locale"];
  recordLocale?: string;
  /** Country for national phone numbers. */
  country?: string;
};

/** Reads a dotted path; undefined when any step is missing. */
export function readPath(source: unknown, path: string): unknown {
  let value: unknown = source;
  for (const step of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

const isMoney = (value: unknown): value is Money =>
  typeof value === "object" && value !== null && typeof (value as Money).centAmount === "number" && typeof (value as Money).fractionDigits === "number";

/** Each wanted locale in turn, exactly or by language; then any value (a name is better than none). */
function pickLocalised(value: unknown, wanted: (string | undefined)[]): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const values = value as Record<string, string>;
  for (const locale of wanted) {
    if (!locale) continue;
    if (values[locale]) return values[locale];
    const language = locale.split("-")[0];
    const match = Object.keys(values).find((key) => values[key] && (key === language || key.split("-")[0] === language));
    if (match) return values[match];
  }
  return pickLocale(values, undefined);
}

function applyOne(value: unknown, transform: Transform, record: unknown, ctx: MappingContext): unknown {
  if (value === undefined && transform.type !== "format") return undefined;
  switch (transform.type) {
    case "normalise": {
      if (typeof value !== "string") return value;
      switch (transform.as) {
        case "email":
          return normaliseEmail(value) ?? null;
        case "phone":
          return normalisePhone(value, ctx.country) ?? null;
        case "trim":
          return value.trim() || null;
        case "upper":
        case "country":
          return value.trim().toUpperCase();
        case "lower":
          return value.trim().toLowerCase();
      }
      return value;
    }
    case "format": {
      let any = false;
      const text = transform.template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (_, path: string) => {
        const part = readPath(record, path);
        if (part === undefined || part === null || part === "") return "";
        any = true;
        return String(part);
      });
      return any ? text.replace(/\s+/g, " ").trim() : undefined;
    }
    case "lookup": {
      const key = String(value);
      if (Object.hasOwn(transform.table, key)) return transform.table[key];
      return transform.default;
    }
    case "locale":
      return pickLocalised(value, [transform.locale, ctx.recordLocale, ctx.locale.preferred, ...ctx.locale.fallbacks]);
    case "money":
      if (!isMoney(value)) return value;
      return transform.unit === "major" ? toMajorUnits(value) : transform.unit === "hundredths" ? toHundredths(value) : value.centAmount;
    case "date": {
      if (typeof value !== "string") return value;
      const parsed = new Date(value);
      if (Number.isNaN(parsed.getTime())) return null;
      return transform.as === "date" ? parsed.toISOString().slice(0, 10) : parsed.toISOString();
    }
    case "join":
      return Array.isArray(value) ? (value.length ? value.join(transform.separator) : null) : value;
    case "not":
      return typeof value === "boolean" ? !value : value;
  }
}

/** A value a CRM field can hold; objects left after the transforms are written as JSON text. */
function toFieldValue(value: unknown): FieldValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(String).join(";");
  if (isMoney(value)) return toMajorUnits(value);
  return JSON.stringify(value);
}

export function mapField(record: unknown, mapping: FieldMapping, ctx: MappingContext): FieldValue | undefined {
  let value: unknown = readPath(record, mapping.source);
  for (const transform of mapping.transform) value = applyOne(value, transform, record, ctx);
  return toFieldValue(value);
}

/**
 * The configured fields of one record. Fields whose source is absent are left
 * out (nothing is cleared because a record simply does not carry a value).
 */
export function mapFields(record: unknown, mappings: FieldMapping[], ctx: MappingContext): MappedFields {
  const out: MappedFields = {};
  for (const mapping of mappings) {
    const value = mapField(record, mapping, ctx);
    if (value !== undefined) out[mapping.target] = value;
  }
  return out;
}
