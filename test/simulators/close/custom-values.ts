import { FieldErrors } from "./errors";
import type { CloseStore, CustomField, CustomFieldScope, CustomValues } from "./store";

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads custom values from a request body in both documented forms:
 * `"custom.cf_X": value` keys and a `custom_fields: {"cf_X": value}` object.
 * Returns only the fields named in the body (PUT is a partial update; null unsets).
 */
export function readCustomValues(
  store: CloseStore,
  body: Record<string, unknown>,
  scope: CustomFieldScope,
  activityTypeId?: string,
): Map<string, unknown> {
  const given = new Map<string, unknown>();
  for (const [key, value] of Object.entries(body)) if (key.startsWith("custom.")) given.set(key.slice("custom.".length), value);
  const object = body.custom_fields;
  if (object !== undefined && object !== null) {
    if (typeof object !== "object" || Array.isArray(object)) throw new FieldErrors({ custom_fields: "Expected an object." });
    for (const [key, value] of Object.entries(object)) given.set(key, value);
  }
  const errors: Record<string, string> = {};
  const values = new Map<string, unknown>();
  for (const [id, value] of given) {
    const field = store.customFields.get(id);
    const key = `custom.${id}`;
    if (!field || field.scope !== scope || (activityTypeId !== undefined && field.custom_activity_type_id !== activityTypeId)) {
      errors[key] = "Unknown custom field.";
      continue;
    }
    const problem = value === null ? undefined : checkValue(field, value);
    if (problem) errors[key] = problem;
    else values.set(id, value);
  }
  if (Object.keys(errors).length > 0) throw new FieldErrors(errors);
  return values;
}

export function applyCustomValues(target: CustomValues, values: Map<string, unknown>): void {
  for (const [id, value] of values) {
    if (value === null) target.delete(id);
    else target.set(id, value);
  }
}

function checkValue(field: CustomField, value: unknown): string | undefined {
  const one = (v: unknown): string | undefined => {
    switch (field.type) {
      case "number":
        return typeof v === "number" && Number.isFinite(v) ? undefined : "Enter a number.";
      case "date":
        return typeof v === "string" && isoDate.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : "Enter a valid date.";
      case "datetime":
        return typeof v === "string" && !Number.isNaN(Date.parse(v)) ? undefined : "Enter a valid date/time.";
      case "choices":
        return typeof v === "string" && field.choices.includes(v) ? undefined : "Select a valid choice.";
      default:
        return typeof v === "string" ? undefined : "Not a valid string.";
    }
  };
  if (field.accepts_multiple_values) {
    return Array.isArray(value) ? value.map(one).find((p) => p !== undefined) : "Expected a list of values.";
  }
  return one(value);
}

/** Renders custom values the way Close answers them: one `custom.cf_X` key per set field. */
export function renderCustomValues(values: CustomValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, value] of values) out[`custom.${id}`] = value;
  return out;
}
