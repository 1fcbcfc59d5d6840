import { createApplicationLogger, redactFieldsFormatter } from "@commercetools-backend/loggers";
import type { LogMeta, Logger } from "../ports/logger";

/**
 * Field names that may carry personal data or secrets. Redacted wherever they
 * appear in log metadata, as a second line of defence: callers log IDs, not values.
 */
export const redactedFields = [
  "email",
  "firstName",
  "lastName",
  "name",
  "phone",
  "address",
  "addresses",
  "password",
  "authorization",
  "access_token",
  "client_secret",
  "clientSecret",
  "apiKey",
  "token",
  "payload",
];

type Winston = ReturnType<typeof createApplicationLogger>;

class WinstonLogger implements Logger {
  constructor(
    private readonly winston: Winston,
    private readonly base: LogMeta,
  ) {}
  debug(message: string, meta?: LogMeta) {
    this.winston.debug(message, { ...this.base, ...meta });
  }
  info(message: string, meta?: LogMeta) {
    this.winston.info(message, { ...this.base, ...meta });
  }
  warn(message: string, meta?: LogMeta) {
    this.winston.warn(message, { ...this.base, ...meta });
  }
  error(message: string, meta?: LogMeta) {
    this.winston.error(message, { ...this.base, ...meta });
  }
  child(meta: LogMeta): Logger {
    return new WinstonLogger(this.winston, { ...this.base, ...meta });
  }
}

export function createLogger(options: { app: string; level?: string; silent?: boolean }): Logger {
  const winston = createApplicationLogger({
    level: options.level ?? "info",
    silent: options.silent ?? process.env.LOG_SILENT === "true",
    json: true,
    formatters: [redactFieldsFormatter({ fields: redactedFields })],
  });
  return new WinstonLogger(winston, { app: options.app });
}

/** A logger that keeps entries in memory, for tests that assert on what was logged. */
export class MemoryLogger implements Logger {
  readonly entries: { level: string; message: string; meta: LogMeta }[];
  constructor(
    private readonly base: LogMeta = {},
    entries?: { level: string; message: string; meta: LogMeta }[],
  ) {
    this.entries = entries ?? [];
  }
  private push(level: string, message: string, meta?: LogMeta) {
    this.entries.push({ level, message, meta: { ...this.base, ...meta } });
  }
  debug(message: string, meta?: LogMeta) {
    this.push("debug", message, meta);
  }
  info(message: string, meta?: LogMeta) {
    this.push("info", message, meta);
  }
  warn(message: string, meta?: LogMeta) {
    this.push("warn", message, meta);
  }
  error(message: string, meta?: LogMeta) {
    this.push("error", message, meta);
  }
  child(meta: LogMeta): Logger {
    return new MemoryLogger({ ...this.base, ...meta }, this.entries);
  }
}
