import type { ErrorDialect } from "../shared/server";

/** Dataverse's error body: `{"error": {"code": "0x…", "message": "…"}}`. */
export type ErrorBody = { error: { code: string; message: string } };

/** Thrown by the store and the routes; rendered as Dataverse renders errors, also inside `$batch` parts. */
export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra answer headers (Retry-After of a throttled request). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get body(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** The documented codes the simulator answers with. */
export const codes = {
  /** Record (by ID or by alternate key) does not exist. */
  doesNotExist: "0x80040217",
  /** If-None-Match: * on an existing record, and the unique-key race of concurrent creates. */
  duplicateRecord: "0x80040237",
  /** A lookup bound through an alternate key that matches no record (unverified: picked from the SDK's error list). */
  keyNotFound: "0x80060891",
  /** Unknown property, bad value type, malformed query. */
  badProperty: "0x80060888",
  /** A string longer than its column allows. */
  tooLong: "0x80044331",
  /** If-Match with a row version that is no longer current. */
  versionMismatch: "0x80060882",
  /** Service protection: number of requests, execution time, concurrent requests. */
  requests: "0x80072322",
  executionTime: "0x80072321",
  concurrency: "0x80072326",
  /** Generic: a malformed request, and an unexpected failure. */
  badRequest: "0x80040203",
  unexpected: "0x80040216",
} as const;

export const notExisting = (logicalName: string, what: string) => new DataverseError(404, codes.doesNotExist, `${logicalName} With ${what} Does Not Exist`);

export const badProperty = (message: string) => new DataverseError(400, codes.badProperty, message);

/** The three service-protection refusals, worded as Dataverse words them. */
export const throttleMessages = {
  requests: { code: codes.requests, message: (limit: number, windowSeconds: number) => `Number of requests exceeded the limit of ${limit} over time window of ${windowSeconds} seconds.` },
  executionTime: {
    code: codes.executionTime,
    message: (limit: number, windowSeconds: number) => `Combined execution time of incoming requests exceeded limit of ${limit} milliseconds over time window of ${windowSeconds} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`,
  },
  concurrency: { code: codes.concurrency, message: (limit: number) => `Number of concurrent requests exceeded the limit of ${limit}.` },
};

export function throttled(code: string, message: string, retryAfterSeconds: number): DataverseError {
  return new DataverseError(429, code, message, { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) });
}

/** Codes for injected statuses other than 429 (picked; Dataverse documents no code per status). */
const codeByStatus: Record<number, string> = {
  400: codes.badRequest,
  401: "0x80072560",
  403: "0x80040220",
  404: codes.doesNotExist,
  409: codes.duplicateRecord,
  412: codes.versionMismatch,
  413: "0x80044183",
};

/** How injected faults look when Dataverse sends them: a 429 is the request-count refusal with its Retry-After. */
export const dataverseDialect: ErrorDialect = {
  throttled(res, fault) {
    const error = throttled(codes.requests, throttleMessages.requests.message(6000, 300), fault.retryAfterSeconds ?? 1);
    res.status(error.status).set(error.headers).json(error.body);
  },
  error(res, status, message) {
    res.status(status).json({ error: { code: codeByStatus[status] ?? codes.unexpected, message } });
  },
};
