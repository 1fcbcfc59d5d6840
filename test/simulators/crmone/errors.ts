import type { NextFunction, Request, Response } from "express";
import type { ErrorDialect } from "../shared/server";

/**
 * 1CRM's error answer: a non-2xx status with `{"error": "<type>", "message",
 * "hint"}`. The official client's examples show 404s with a message and no
 * type ("Model Acount not found", "Not found"); the types of the others
 * follow the OAuth server 1CRM's API runs on (`access_denied`,
 * `invalid_client`) and are the simulator's choice elsewhere (README).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type?: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function sendError(res: Response, error: ApiError): void {
  res.status(error.status).json({ ...(error.type ? { error: error.type } : {}), message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
}

/** 1CRM documents no rate limit; when one answers (a proxy, an armed fault) it is a 429 with Retry-After. */
export function sendThrottled(res: Response, retryAfterSeconds: number): void {
  res.setHeader("Retry-After", String(Math.max(1, Math.ceil(retryAfterSeconds))));
  sendError(res, new ApiError(429, "Too many requests", "too_many_requests", `Retry after ${Math.ceil(retryAfterSeconds)} seconds`));
}

const typeOfStatus = (status: number) => (status >= 500 ? "server_error" : status === 401 ? "access_denied" : status === 403 ? "forbidden" : "invalid_request");

/** How injected faults look when this CRM sends them. */
export const crmOneDialect: ErrorDialect = {
  throttled: (res, fault) => sendThrottled(res, fault.retryAfterSeconds ?? 1),
  error: (res, status, message) => sendError(res, new ApiError(status, message, status === 404 ? undefined : typeOfStatus(status))),
};

export function crmOneErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  if (err instanceof ApiError) return sendError(res, err);
  const status = (err as { status?: number }).status;
  // body-parser: malformed JSON and oversized bodies.
  if (status === 400) return sendError(res, new ApiError(400, "Request body is not valid JSON", "invalid_request"));
  if (status === 413) return sendError(res, new ApiError(413, "Request body too large", "invalid_request"));
  sendError(res, new ApiError(500, "Internal server error", "server_error"));
}
