import { z } from "zod";
import { type ErrorClass, SyncError, type SyncErrorDetails } from "../../domain/errors";
import { classifyStatus, parseRetryAfter } from "../../reliability/http-errors";
import type { HttpAnswer } from "../kit/transport";

/** Salesforce's REST error body: always an array. */
const restErrors = z.array(z.object({ message: z.string(), errorCode: z.string(), fields: z.array(z.string()).optional() }));

/** Per-record errors in Collections results (and Bulk sf__Error) use `statusCode`. */
export const recordErrorSchema = z.object({ statusCode: z.string(), message: z.string(), fields: z.array(z.string()).optional() });
export type RecordError = z.infer<typeof recordErrorSchema>;

/**
 * Salesforce sends no Retry-After with REQUEST_LIMIT_EXCEEDED. We ask the retry
 * policy to wait this long: enough for the concurrent-request limit to clear;
 * if the daily allowance is spent, the inline budget runs out and the failure
 * store's backoff (minutes to hours) takes over.
 */
const throttleRetryAfterSeconds = 2;

const fieldMap = (fields: string[] | undefined, message: string) =>
  fields && fields.length ? Object.fromEntries(fields.map((f) => [f, message])) : undefined;

/** A failed whole call (non-2xx) as a SyncError, refined by Salesforce's error code. */
export function callError({ status, text, headers }: HttpAnswer): SyncError {
  let first: z.infer<typeof restErrors>[number] | undefined;
  try {
    const parsed = restErrors.safeParse(JSON.parse(text));
    if (parsed.success) first = parsed.data[0];
  } catch {
    // Not JSON (a proxy's HTML page): the status decides.
  }
  const message = first?.message ?? `Salesforce answered HTTP ${status}`;
  const details: SyncErrorDetails = { errorClass: classifyStatus(status), message, status };
  if (first) details.code = first.errorCode;
  const fields = fieldMap(first?.fields, message);
  if (fields) details.fields = fields;
  if (first?.errorCode === "REQUEST_LIMIT_EXCEEDED" || status === 429) {
    details.errorClass = "throttled";
    details.retryAfterSeconds = parseRetryAfter(headers.get("retry-after")) ?? throttleRetryAfterSeconds;
  } else if (first?.errorCode === "INVALID_SESSION_ID") {
    details.errorClass = "auth";
  } else if (status === 300) {
    details.errorClass = "ambiguous_match";
    details.message = "Several Salesforce records match this external ID";
  } else if (first?.errorCode === "UNABLE_TO_LOCK_ROW") {
    details.errorClass = "conflict";
  }
  return new SyncError(details);
}

/** Codes whose class is not "validation", the default for a refused record. */
const recordClasses: Record<string, ErrorClass> = {
  ...{ UNABLE_TO_LOCK_ROW: "conflict", ALL_OR_NONE_OPERATION_ROLLED_BACK: "conflict", ENTITY_IS_DELETED: "not_found" },
  ...{ REQUEST_LIMIT_EXCEEDED: "throttled", UNKNOWN_EXCEPTION: "crm_unavailable", SERVER_UNAVAILABLE: "crm_unavailable" },
};

/**
 * DUPLICATE_VALUE on the external ID we upserted on: another request created
 * the same new record while ours ran (both saw none). Ours becomes an update
 * when sent again at once.
 */
const isUpsertRace = (error: RecordError, externalIdField: string | undefined) =>
  error.statusCode === "DUPLICATE_VALUE" && externalIdField !== undefined && (error.fields?.includes(externalIdField) || error.message.includes(externalIdField));

/** A refused record (Collections result or Bulk failed row) as outcome details; `externalIdField`: the field the write upserted on. */
export function recordError(errors: RecordError[], externalIdField?: string): SyncErrorDetails {
  const first = errors[0];
  if (!first) return { errorClass: "unknown", message: "Salesforce refused the record without a reason" };
  let errorClass: ErrorClass = recordClasses[first.statusCode] ?? "validation";
  // Salesforce words these as INVALID_FIELD / DUPLICATE_EXTERNAL_ID; the message tells them apart.
  if (first.message.startsWith("Foreign key external ID")) errorClass = "not_found"; // the parent is not synced (yet)
  if (first.statusCode === "DUPLICATE_EXTERNAL_ID" && first.message.includes("more than one record")) errorClass = "ambiguous_match";
  if (isUpsertRace(first, externalIdField)) errorClass = "conflict";
  const details: SyncErrorDetails = { errorClass, message: errors.map((e) => e.message).join("; "), code: first.statusCode };
  if (errorClass === "throttled") details.retryAfterSeconds = throttleRetryAfterSeconds;
  const fields = fieldMap(first.fields, first.message);
  if (fields) details.fields = fields;
  return details;
}

/** Bulk API 2.0 sf__Error: `CODE:message:Field1,Field2 --`, several joined by spaces. */
export function parseBulkError(text: string): RecordError[] {
  return text
    .split(/ --\s*/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const firstColon = part.indexOf(":");
      const lastColon = part.lastIndexOf(":");
      if (firstColon < 0) return { statusCode: "UNKNOWN", message: part };
      const statusCode = part.slice(0, firstColon);
      if (lastColon === firstColon) return { statusCode, message: part.slice(firstColon + 1) };
      const fields = part.slice(lastColon + 1).split(",").map((f) => f.trim()).filter(Boolean);
      return { statusCode, message: part.slice(firstColon + 1, lastColon), fields };
    });
}
