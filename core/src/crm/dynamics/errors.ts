import { z } from "zod";
import { type ErrorClass, SyncError, type SyncErrorDetails } from "../../domain/errors";
import { classifyStatus, parseRetryAfter } from "../../reliability/http-errors";

/** Dataverse's error body: `{"error": {"code": "0x…", "message": "…"}}`. */
export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The service-protection codes, and which of the three limits each one means. */
export const serviceProtectionCodes: Record<string, string> = {
  "0x80072322": "number of requests",
  "0x80072321": "combined execution time",
  "0x80072326": "concurrent requests",
};

/** Record-level codes whose class is not what the status alone says. */
export const dataverseCodes = {
  /** The record (by ID or alternate key) does not exist. */
  doesNotExist: "0x80040217",
  /** A lookup's alternate key matches no record: the parent is not synced yet. */
  keyNotFound: "0x80060891",
  /** A duplicate key: `If-None-Match: *` on an existing record, or an upsert that lost a race with a concurrent create. */
  duplicateRecord: "0x80040237",
  /** An unknown column or a value of the wrong type. */
  badProperty: "0x80060888",
  versionMismatch: "0x80060882",
} as const;

const classByCode: Record<string, ErrorClass> = {
  [dataverseCodes.doesNotExist]: "not_found",
  [dataverseCodes.keyNotFound]: "not_found",
  [dataverseCodes.duplicateRecord]: "conflict",
  [dataverseCodes.versionMismatch]: "conflict",
};

/**
 * Dataverse throttles with 429 and Retry-After; when an answer names no wait
 * the retry policy is asked for this one (the request-count window is five
 * minutes, but a retry a few seconds later usually fits).
 */
const defaultThrottleSeconds = 5;

/** Messages quote the literal a conversion refused, which may be personal data: it is left out. */
const withoutLiterals = (message: string) => message.replace(/literal '[^']*'/g, "literal (value withheld)");

/** An answer's status, headers and body as the SyncError the retry policy and the failure store read. */
export function answerError(status: number, headers: Headers | Record<string, string>, text: string): SyncError {
  let body: z.infer<typeof errorBodySchema>["error"] | undefined;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data.error;
  } catch {
    // Not JSON (a gateway's page, a 401's empty body): the status decides.
  }
  const header = (name: string) => (headers instanceof Headers ? headers.get(name) : (Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? null));
  const limit = body ? serviceProtectionCodes[body.code] : undefined;
  const details: SyncErrorDetails = {
    errorClass: (body && classByCode[body.code]) ?? classifyStatus(status),
    status,
    message: body ? `Dynamics 365: ${withoutLiterals(body.message)}` : `Dynamics 365 answered HTTP ${status}`,
  };
  if (body) details.code = body.code;
  if (status === 429 || limit) {
    details.errorClass = "throttled";
    details.retryAfterSeconds = parseRetryAfter(header("retry-after")) ?? defaultThrottleSeconds;
    if (limit) details.message = `Dynamics 365 service protection (${limit}): ${body!.message}`;
  }
  return new SyncError(details);
}
