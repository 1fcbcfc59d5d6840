import type { Request, Response, NextFunction } from "express";

/**
 * Close's documented validation answer: `400 {"errors": [], "field-errors": {"field": "message"}}`.
 * Thrown by handlers, rendered by `closeErrorHandler`.
 */
export class FieldErrors extends Error {
  constructor(
    readonly fieldErrors: Record<string, string>,
    readonly errors: string[] = [],
  ) {
    super("validation failed");
  }
}

/** Any other error: `{"error": "..."}` (shape marked unverified in the docs). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const required = "This field is required.";

export function sendError(res: Response, status: number, message: string): void {
  res.status(status).json({ error: message });
}

export function closeErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  if (err instanceof FieldErrors) {
    res.status(400).json({ errors: err.errors, "field-errors": err.fieldErrors });
    return;
  }
  if (err instanceof ApiError) return sendError(res, err.status, err.message);
  const status = (err as { status?: number; type?: string }).status;
  // body-parser: malformed JSON and oversized bodies.
  if (status === 400) return sendError(res, 400, "Invalid JSON body.");
  if (status === 413) return sendError(res, 413, "Request body too large.");
  sendError(res, 500, "Internal server error.");
}
