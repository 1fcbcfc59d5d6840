import { type ErrorClass, SyncError } from "../domain/errors";

/** Maps an HTTP status to an error class; adapters refine with vendor codes first. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 429) return "throttled";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 409 || status === 412) return "conflict";
  if (status === 408 || status >= 500) return "crm_unavailable";
  if (status >= 400) return "validation";
  return "unknown";
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now.getTime()) / 1000);
}

/** Network failures (refused, reset, DNS, timeout/abort) are the CRM being unavailable. */
export function networkError(error: unknown, target: string): SyncError {
  const cause = error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.name) : "unknown";
  return new SyncError({ errorClass: "crm_unavailable", message: `${target} unreachable (${cause})` }, { cause: error });
}
