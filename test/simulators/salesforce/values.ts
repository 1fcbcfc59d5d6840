import { findField, findRelationship, findSObject, type FieldDef, type SObjectDef } from "./schema";
import type { SfError } from "./errors";

/** A parent named by external ID inside a body: `"Account": {"CT_Business_Unit_Id__c": "bu-1"}`. */
export type ParentRef = { field: FieldDef; parent: SObjectDef; extField: FieldDef; value: string };

export type ParsedBody = { values: Record<string, unknown>; refs: ParentRef[] };

/** JSON bodies carry typed values; Bulk CSV carries strings that must be read as the field's type. */
export type ValueSource = "json" | "csv";

// Salesforce accepts most RFC 5322 local parts; this is close enough to refuse obvious garbage.
const emailPattern = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

const jsonParserError = (field: FieldDef, value: unknown, type: string): SfError => ({
  message: `Cannot deserialize instance of ${type} from VALUE_STRING value ${String(value)} or request may be missing a required field`,
  errorCode: "JSON_PARSER_ERROR",
  fields: [field.name],
});

/** Salesforce renders datetimes as 2026-11-20T10:00:00.000+0000. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

function coerce(field: FieldDef, raw: unknown, source: ValueSource): { value: unknown } | { error: SfError } {
  if (raw === null) return { value: null };
  switch (field.type) {
    case "string":
    case "textarea":
    case "phone":
    case "picklist":
    case "multipicklist":
    case "email": {
      if (typeof raw === "object") return { error: jsonParserError(field, JSON.stringify(raw), "String") };
      const text = String(raw);
      if (field.length !== undefined && text.length > field.length) {
        return {
          error: {
            message: `${field.label}: data value too large: ${text.slice(0, 30)} (max length=${field.length})`,
            errorCode: "STRING_TOO_LONG",
            fields: [field.name],
          },
        };
      }
      if (field.type === "email" && text !== "" && !emailPattern.test(text)) {
        return { error: { message: `${field.label}: invalid email address: ${text}`, errorCode: "INVALID_EMAIL_ADDRESS", fields: [field.name] } };
      }
      return { value: text === "" ? null : text };
    }
    case "boolean": {
      if (typeof raw === "boolean") return { value: raw };
      if (source === "csv" && typeof raw === "string" && /^(true|false)$/i.test(raw)) return { value: raw.toLowerCase() === "true" };
      return { error: jsonParserError(field, raw, "boolean") };
    }
    case "double":
    case "currency":
    case "int": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n)) return { error: jsonParserError(field, raw, "double") };
      return { value: field.type === "int" ? Math.trunc(n) : n };
    }
    case "date": {
      if (typeof raw !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(raw))) {
        return { error: jsonParserError(field, raw, "date") };
      }
      return { value: raw };
    }
    case "datetime": {
      const t = typeof raw === "string" ? Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")) : Number.NaN;
      if (Number.isNaN(t)) return { error: jsonParserError(field, raw, "datetime") };
      return { value: formatDateTime(new Date(t)) };
    }
    case "reference":
    case "id": {
      if (typeof raw !== "string" || !/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(raw)) {
        return { error: { message: `${field.label}: id value of incorrect type: ${String(raw)}`, errorCode: "MALFORMED_ID", fields: [field.name] } };
      }
      return { value: raw };
    }
  }
}

/**
 * The object a parent named by external ID is: the lookup's own, or for a
 * polymorphic lookup the one its `attributes.type` names (required there).
 */
function parentType(relation: FieldDef, raw: Record<string, unknown>): { object: SObjectDef } | { error: SfError } | undefined {
  if (!relation.referenceTo) return undefined;
  if (!relation.polymorphicTo) return { object: findSObject(relation.referenceTo)! };
  const type = (raw.attributes as { type?: unknown } | undefined)?.type;
  const named = typeof type === "string" ? relation.polymorphicTo.find((t) => t.toLowerCase() === type.toLowerCase()) : undefined;
  if (!named) {
    const message = `${relation.relationshipName} is polymorphic: name the parent's type in attributes.type (one of ${relation.polymorphicTo.join(", ")})`;
    return { error: { message, errorCode: "INVALID_FIELD" } };
  }
  return { object: findSObject(named)! };
}

/**
 * Reads a request body against the object's field table: unknown fields,
 * read-only fields, wrong types and bad emails give the errors an org gives.
 * Required fields are checked later, against the merged record.
 */
export function parseBody(object: SObjectDef, body: Record<string, unknown>, source: ValueSource): ParsedBody | { errors: SfError[] } {
  const values: Record<string, unknown> = {};
  const refs: ParentRef[] = [];
  const errors: SfError[] = [];
  for (const [key, raw] of Object.entries(body)) {
    if (key === "attributes") continue;
    if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
      const relation = findRelationship(object, key);
      const parent = relation && parentType(relation, raw as Record<string, unknown>);
      if (!relation || !parent) {
        errors.push({ message: `No such column '${key}' on sobject of type ${object.name}`, errorCode: "INVALID_FIELD" });
        continue;
      }
      if ("error" in parent) {
        errors.push({ ...parent.error, fields: [relation.name] });
        continue;
      }
      const parentDef = parent.object;
      const entries = Object.entries(raw as Record<string, unknown>).filter(([k]) => k !== "attributes");
      const [extName, extValue] = entries[0] ?? [];
      const extField = extName ? findField(parentDef, extName) : undefined;
      if (entries.length !== 1 || !extField || !(extField.externalId || extField.type === "id")) {
        errors.push({
          message: `Invalid foreign key relationship name ${key}: give exactly one external ID field of ${parentDef.name}`,
          errorCode: "INVALID_FIELD",
          fields: [relation.name],
        });
        continue;
      }
      refs.push({ field: relation, parent: parentDef, extField, value: String(extValue) });
      continue;
    }
    const field = findField(object, key);
    if (!field) {
      errors.push({ message: `No such column '${key}' on sobject of type ${object.name}`, errorCode: "INVALID_FIELD" });
      continue;
    }
    if (field.readOnly) {
      errors.push({
        message: `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        errorCode: "INVALID_FIELD_FOR_INSERT_UPDATE",
        fields: [field.name],
      });
      continue;
    }
    if (source === "csv" && raw === "") continue; // Bulk: an empty cell leaves the value as it is.
    const coerced = coerce(field, source === "csv" && raw === "#N/A" ? null : raw, source);
    if ("error" in coerced) errors.push(coerced.error);
    else values[field.name] = coerced.value;
  }
  return errors.length ? { errors } : { values, refs };
}
