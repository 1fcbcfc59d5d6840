import { SyncError } from "../../domain/errors";
import { classifyStatus, parseRetryAfter } from "../../reliability/http-errors";
import { errorBodySchema, type CloseErrorBody } from "./schemas";

/** Flattens Close's field-errors (strings, or nested objects/lists) into `path → message`. */
export function flattenFieldErrors(value: unknown, prefix = "", out: Record<string, string> = {}): Record<string, string> {
  if (typeof value === "string") out[prefix || "_"] = value;
  else if (Array.isArray(value)) value.forEach((v, i) => flattenFieldErrors(v, prefix ? `${prefix}.${i}` : String(i), out));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) flattenFieldErrors(v, k === "errors" || k === "field-errors" ? prefix : prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/** `RateLimit: limit=100, remaining=0, reset=4.5` → 4.5 */
export function parseRateLimitReset(header: string | null): number | undefined {
  const match = header?.match(/reset=([\d.]+)/);
  const seconds = match ? Number(match[1]) : NaN;
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** How long Close's headers ask us to hold off: a RateLimit with nothing remaining until its reset, a Retry-After. */
export function announcedWait(headers: Headers): number | undefined {
  const rateLimit = headers.get("ratelimit");
  const exhausted = rateLimit?.match(/remaining=(\d+)/)?.[1] === "0" ? parseRateLimitReset(rateLimit) : undefined;
  const waits = [exhausted, parseRetryAfter(headers.get("retry-after"))].filter((s): s is number => s !== undefined);
  return waits.length > 0 ? Math.max(...waits) : undefined;
}

function parseBody(text: string): CloseErrorBody | undefined {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns a non-2xx answer into a SyncError. Close's own words are kept (they
 * name fields and rules, never echo values), so a reviewer sees what Close said.
 */
export function closeHttpError(status: number, headers: Headers, text: string): SyncError {
  const body = parseBody(text);
  const errorClass = classifyStatus(status);
  if (status === 429) {
    // Retry-After (integer seconds) first; the RateLimit reset and the deprecated body rate_reset as fallbacks.
    const candidates = [
      parseRetryAfter(headers.get("retry-after")),
      parseRateLimitReset(headers.get("ratelimit")),
      typeof body?.error === "object" ? body.error.rate_reset : undefined,
    ].filter((s): s is number => s !== undefined);
    const message = typeof body?.error === "object" ? (body.error.message ?? "rate limited") : "rate limited";
    return new SyncError({
      errorClass,
      status,
      message: `Close: ${message}`,
      ...(candidates.length > 0 ? { retryAfterSeconds: Math.max(...candidates) } : {}),
    });
  }
  const fieldErrors = body?.["field-errors"] ? flattenFieldErrors(body["field-errors"]) : {};
  const general = (body?.errors ?? []).filter((e): e is string => typeof e === "string");
  const parts = [...general, ...Object.entries(fieldErrors).map(([field, message]) => `${field}: ${message}`)];
  if (typeof body?.error === "string") parts.unshift(body.error);
  return new SyncError({
    errorClass,
    status,
    message: parts.length > 0 ? `Close: ${parts.join("; ")}` : `Close answered ${status}`,
    ...(Object.keys(fieldErrors).length > 0 ? { fields: fieldErrors } : {}),
  });
}
