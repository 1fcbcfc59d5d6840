import express, { type ErrorRequestHandler, type Express } from "express";
import type { Logger } from "../ports/logger";

/** JSON error body for a 4xx/5xx: says what was wrong, never a stack or a secret. */
export type ErrorBody = { error: string };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An express app with what every ct-crm-sync app shares: `GET /health`,
 * JSON bodies up to a limit, and an error handler that turns bad input into a
 * clear 4xx and anything else into a bare 500 (details go to the log only).
 */
export function createBaseApp(options: { name: string; logger: Logger; bodyLimit?: string }): {
  app: Express;
  finish(): void;
} {
  const app = express();
  app.disable("x-powered-by");
  app.get("/health", (_req, res) => {
    res.json({ ok: true, app: options.name });
  });
  app.use(express.json({ limit: options.bodyLimit ?? "1mb", type: ["application/json", "application/*+json"] }));

  const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
    const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
    const type = (error as { type?: string }).type;
    if (error instanceof HttpError) {
      res.status(error.status).json({ error: error.message } satisfies ErrorBody);
      return;
    }
    if (type === "entity.too.large") {
      res.status(413).json({ error: `request body is larger than ${options.bodyLimit ?? "1mb"}` });
      return;
    }
    if (type === "entity.parse.failed") {
      res.status(400).json({ error: "request body is not valid JSON" });
      return;
    }
    // Only errors made to be shown (express's own, body-parser's) pass their status on; another
    // system's 4xx (a commercetools answer) is our failure to handle, not the caller's mistake.
    if ((error as { expose?: boolean }).expose === true && status && status >= 400 && status < 500) {
      res.status(status).json({ error: (error as Error).message || "bad request" });
      return;
    }
    options.logger.error("request failed", {
      path: req.path,
      method: req.method,
      errorName: (error as Error)?.name,
      errorMessage: (error as Error)?.message,
    });
    res.status(500).json({ error: "internal error" } satisfies ErrorBody);
  };

  return {
    app,
    /** Mounts the 404 and error handlers; call after the routes. */
    finish() {
      app.use((req, res) => {
        res.status(404).json({ error: `no route ${req.method} ${req.path}` });
      });
      app.use(errorHandler);
    },
  };
}
