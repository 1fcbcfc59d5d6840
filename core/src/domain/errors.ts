/**
 * Error classes decide what happens to a failed record: transient ones are
 * retried (inline, then by the job), permanent ones wait in the failure store
 * for a person to look at them.
 */
export const errorClasses = [
  "validation",
  "not_found",
  "conflict",
  "ambiguous_match",
  "throttled",
  "crm_unavailable",
  "auth",
  "unknown",
] as const;
export type ErrorClass = (typeof errorClasses)[number];

const transientClasses: ReadonlySet<ErrorClass> = new Set(["throttled", "crm_unavailable", "conflict", "unknown"]);

export function isTransient(errorClass: ErrorClass): boolean {
  return transientClasses.has(errorClass);
}

export type SyncErrorDetails = {
  errorClass: ErrorClass;
  /** The CRM's (or commercetools') own message, kept verbatim for the reviewer. */
  message: string;
  status?: number;
  /** Vendor error code, e.g. REQUIRED_FIELD_MISSING, 0x80072322. */
  code?: string;
  /** Seconds the remote asked us to wait (Retry-After, rate_reset). */
  retryAfterSeconds?: number;
  /** Field-level reasons, e.g. from validation. */
  fields?: Record<string, string>;
};

export class SyncError extends Error {
  readonly details: SyncErrorDetails;
  constructor(details: SyncErrorDetails, options?: { cause?: unknown }) {
    super(details.message, options);
    this.name = "SyncError";
    this.details = details;
  }
  get errorClass(): ErrorClass {
    return this.details.errorClass;
  }
}

export function toSyncError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SyncError({ errorClass: "unknown", message }, { cause: error });
}
