import type { NextFunction, Request, Response } from "express";

/**
 * Freshsales' documented error shape: `{"errors": {"code": 400, "message": ["Name has already been taken"]}}`.
 * Thrown by handlers and the store, rendered by `freshsalesErrorHandler`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(messages.join("; "));
  }
}

export const invalid = (...messages: string[]) => new ApiError(400, messages);
export const notFound = (what: string) => new ApiError(404, [`${what} not found`]);

export function sendError(res: Response, status: number, messages: string[]): void {
  res.status(status).json({ errors: { code: status, message: messages } });
}

export function freshsalesErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  if (err instanceof ApiError) return sendError(res, err.status, err.messages);
  const status = (err as { status?: number }).status;
  // body-parser: malformed JSON and oversized bodies.
  if (status === 400) return sendError(res, 400, ["Request body is not valid JSON"]);
  if (status === 413) return sendError(res, 413, ["Request body is too large"]);
  sendError(res, 500, ["Something went wrong"]);
}
