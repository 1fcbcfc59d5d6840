import PQueue from "p-queue";
import type { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CallContext } from "../../ports/crm-outbound";
import { networkError } from "../../reliability/http-errors";
import { closeHttpError } from "./errors";

export type CloseHttpOptions = {
  /** e.g. `https://api.close.com/api/v1` */
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout; the retry policy above decides what happens next. */
  timeoutMs?: number;
  /** Requests this client sends at most per second (unpaced when absent). */
  requestsPerSecond?: number;
  fetch?: typeof fetch;
};

export type Query = Record<string, string | number | undefined>;

/**
 * A thin typed client: one request, one zod-checked answer, errors as
 * SyncError. It never retries (the retry policy lives in core/reliability).
 */
export class CloseHttp {
  private readonly base: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  /** One adapter call is many Close requests: they are paced here, in the windows Close counts them in. */
  private readonly pacing: PQueue | undefined;

  constructor(options: CloseHttpOptions) {
    this.base = options.baseUrl.replace(/\/+$/, "");
    // API key as the Basic username, empty password.
    this.authorization = `Basic ${Buffer.from(`${options.apiKey}:`).toString("base64")}`;
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.pacing = options.requestsPerSecond
      ? new PQueue({ intervalCap: Math.max(1, Math.floor(options.requestsPerSecond)), interval: 1000 })
      : undefined;
  }

  async request<T extends z.ZodType>(
    ctx: CallContext,
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    schema: T,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<z.infer<T>> {
    const url = new URL(this.base + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = {
      authorization: this.authorization,
      accept: "application/json",
      "x-correlation-id": ctx.correlationId,
    };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    let text: string;
    try {
      await this.pacing?.add(() => undefined, ctx.signal ? { signal: ctx.signal } : {});
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
      response = await this.fetchImpl(url, {
        method,
        headers,
        signal,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      text = await response.text();
    } catch (error) {
      throw networkError(error, "Close");
    }
    if (!response.ok) throw closeHttpError(response.status, response.headers, text);
    // Record IDs out of the label: it ends up in error messages and logs.
    return parseAnswer(schema, text, `${method} ${path.replace(/\/(lead|cont|acti|actitype|cf|oppo|stat|whsub)_[A-Za-z0-9_-]+\//g, "/{id}/")}`);
  }
}

/** A 2xx answer Close should never give: unknown (transient) so a retry can see a healthy answer. */
function parseAnswer<T extends z.ZodType>(schema: T, text: string, what: string): z.infer<T> {
  let json: unknown;
  try {
    json = text.trim() === "" ? {} : JSON.parse(text);
  } catch (cause) {
    throw new SyncError({ errorClass: "unknown", message: `Close sent malformed JSON for ${what}` }, { cause });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    // Issue paths only: values could be personal data.
    const where = parsed.error.issues.map((i) => i.path.join(".") || "(root)").join(", ");
    throw new SyncError({ errorClass: "unknown", message: `Close answer for ${what} has an unexpected shape at ${where}` });
  }
  return parsed.data;
}
