import { readPath } from "./field-mapping";
import type { CanonicalRecord } from "./model";
import { isIsoCountry, isIsoCurrency } from "./normalise";

/**
 * Checks a canonical record before any write. A record that fails is not sent:
 * it is stored as a failed record (class `validation`) with one readable
 * reason per field. Pure.
 */
export type FieldProblems = Record<string, string>;

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const e164Pattern = /^\+[1-9]\d{6,14}$/;

export function isBcp47(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

const missing = (value: unknown) => value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);

export function validateRecord(record: CanonicalRecord, required: string[] = []): FieldProblems {
  const problems: FieldProblems = {};
  for (const path of required) {
    if (missing(readPath(record, path))) problems[path] = "required by the mapping configuration, but empty";
  }
  const check = (path: string, ok: (v: string) => boolean, reason: string) => {
    const value = readPath(record, path);
    if (typeof value === "string" && !ok(value)) problems[path] = reason;
  };
  check("email", (v) => emailPattern.test(v), "not a valid email address");
  check("phone", (v) => e164Pattern.test(v), "not an E.164 phone number (+ country code and number)");
  check("address.country", isIsoCountry, "not an ISO 3166-1 alpha-2 country code");
  check("locale", isBcp47, "not a BCP 47 language tag");
  if (record.kind === "person") check("lifetimeValue.currencyCode", isIsoCurrency, "not an ISO 4217 currency code");
  if (record.kind === "order") {
    check("total.currencyCode", isIsoCurrency, "not an ISO 4217 currency code");
    if (!Number.isInteger(record.total.centAmount)) problems["total.centAmount"] = "not a whole number of minor units";
  }
  return problems;
}

export function describeProblems(problems: FieldProblems): string {
  return Object.entries(problems)
    .map(([field, reason]) => `${field}: ${reason}`)
    .join("; ");
}
