import type { Response } from "express";
import type { ErrorDialect } from "../shared/server";

/** One entry of Salesforce's REST error array. */
export type SfError = { message: string; errorCode: string; fields?: string[] };

/** Thrown inside route handlers; the error middleware turns it into the array answer. */
export class SfHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: SfError[],
  ) {
    super(errors[0]?.message ?? "error");
  }
}

export const sfError = (status: number, errorCode: string, message: string, fields?: string[]) =>
  new SfHttpError(status, [{ message, errorCode, ...(fields ? { fields } : {}) }]);

export const notFound = () => sfError(404, "NOT_FOUND", "The requested resource does not exist");

export const limitExceeded: SfError[] = [{ message: "TotalRequests Limit exceeded.", errorCode: "REQUEST_LIMIT_EXCEEDED" }];

/**
 * Codes for injected statuses. Salesforce documents UNKNOWN_EXCEPTION for 500 and
 * SERVER_UNAVAILABLE for 503; the others are picked (unverified).
 */
const codeByStatus: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "INVALID_SESSION_ID",
  403: "INSUFFICIENT_ACCESS",
  404: "NOT_FOUND",
  409: "UNABLE_TO_LOCK_ROW",
  500: "UNKNOWN_EXCEPTION",
  502: "BAD_GATEWAY",
  503: "SERVER_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

/**
 * Salesforce never answers 429 and sends no Retry-After: throttling is
 * 403 REQUEST_LIMIT_EXCEEDED, so an armed 429 fault is answered that way and its
 * retryAfterSeconds is ignored on purpose.
 */
export const salesforceDialect: ErrorDialect = {
  throttled(res) {
    res.status(403).json(limitExceeded);
  },
  error(res, status, message) {
    res.status(status).json([{ message, errorCode: codeByStatus[status] ?? "UNKNOWN_EXCEPTION" }]);
  },
};

export function sendErrors(res: Response, status: number, errors: SfError[]): void {
  res.status(status).json(errors);
}
