import { request } from "undici";
import type { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CallContext } from "../../ports/crm-outbound";
import { networkError } from "../../reliability/http-errors";
import type { Pacer } from "./pacing";

/** Where and how to call: resolved per request (a token may have been refreshed). */
export type Authorization = { baseUrl: string; headers: Record<string, string> };

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type HttpRequest = {
  method: HttpMethod;
  /** Appended to the base URL; an absolute `http(s)://` URL is used as it is (paging links). */
  path: string;
  query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType` (CSV uploads, SOAP). */
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
};

export type HttpAnswer = { status: number; headers: Headers; text: string };

export type TransportOptions = {
  /** The CRM's name in messages ("Close"). */
  crm: string;
  authorize(ctx: CallContext): Promise<Authorization>;
  /**
   * The CRM refused our credentials: drop them (a cached token) and answer
   * true to have the request sent once more with fresh ones.
   */
  reauthorize?(rejected: Authorization, answer: HttpAnswer): Promise<boolean>;
  /** A non-2xx answer as the CRM's own error (its codes refine the status). */
  toError(answer: HttpAnswer): SyncError;
  /** Every answer's headers, for the CRM's usage signals (RateLimit, Sforce-Limit-Info). */
  observe?(headers: Headers, ctx: CallContext): void;
  pacer?: Pacer;
  /** Per request; combined with the caller's signal (its deadline). */
  timeoutMs?: number;
  /** Answers larger than this are refused rather than buffered. */
  maxResponseBytes?: number;
  correlationHeader?: string;
  /** Record IDs out of a path before it appears in a message (messages reach logs and the failure store). */
  describePath?(path: string): string;
};

const defaultTimeoutMs = 30_000;
const defaultMaxResponseBytes = 32 * 1024 * 1024;

/**
 * The one HTTP transport of every CRM adapter: pacing per connection, the
 * caller's deadline combined with a per-request timeout, the correlation
 * header, one re-authorisation on a refused token, response size limit,
 * network failures and status codes turned into SyncErrors, and answers
 * checked against the adapter's zod schema. It never retries: that is the
 * retry policy's job (core/src/reliability/retry.ts).
 */
export class Transport {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly correlationHeader: string;

  constructor(private readonly options: TransportOptions) {
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes;
    this.correlationHeader = options.correlationHeader ?? "x-correlation-id";
  }

  /** The answer's body checked against `schema`; a 2xx the CRM should never give is "unknown" (transient). */
  async json<T extends z.ZodType>(ctx: CallContext, req: HttpRequest, schema: T): Promise<z.infer<T>> {
    const answer = await this.send(ctx, req);
    const what = this.describe(req);
    let body: unknown;
    try {
      body = answer.text.trim() === "" ? {} : JSON.parse(answer.text);
    } catch (cause) {
      throw new SyncError({ errorClass: "unknown", status: answer.status, message: `${this.options.crm} sent malformed JSON for ${what}` }, { cause });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      // Issue paths only: values could be personal data.
      const where = parsed.error.issues.map((i) => i.path.join(".") || "(root)").join(", ");
      throw new SyncError({ errorClass: "unknown", status: answer.status, message: `${this.options.crm} answer for ${what} has an unexpected shape at ${where}` });
    }
    return parsed.data;
  }

  /** The answer's body as text (CSV results, SOAP). */
  async text(ctx: CallContext, req: HttpRequest): Promise<string> {
    return (await this.send(ctx, req)).text;
  }

  /** A 2xx answer, or the CRM's error thrown. */
  async send(ctx: CallContext, req: HttpRequest): Promise<HttpAnswer> {
    for (let attempt = 1; ; attempt++) {
      const auth = await this.options.authorize(ctx);
      const answer = await this.exchange(ctx, req, auth);
      if (answer.status >= 200 && answer.status < 300) return answer;
      if (attempt === 1 && (answer.status === 401 || answer.status === 403) && (await this.options.reauthorize?.(auth, answer))) continue;
      throw this.options.toError(answer);
    }
  }

  private async exchange(ctx: CallContext, req: HttpRequest, auth: Authorization): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: "application/json", ...auth.headers, ...req.headers, [this.correlationHeader]: ctx.correlationId };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    } else if (req.body !== undefined) {
      headers["content-type"] = req.contentType ?? "text/plain";
      body = req.body;
    }
    const run = async (): Promise<HttpAnswer> => {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
      try {
        const answer = await request(this.url(auth.baseUrl, req), { method: req.method, headers, body, signal });
        const text = await this.readBody(answer.body, answer.headers["content-length"]);
        const responseHeaders = toHeaders(answer.headers);
        this.options.observe?.(responseHeaders, ctx);
        return { status: answer.statusCode, headers: responseHeaders, text };
      } catch (error) {
        if (error instanceof SyncError) throw error;
        throw networkError(error, this.options.crm);
      }
    };
    if (!this.options.pacer) return run();
    try {
      return await this.options.pacer.run(run, ctx.signal);
    } catch (error) {
      // The caller's signal fired while the request waited for its turn: it was never sent.
      if (error instanceof SyncError) throw error;
      throw networkError(error, this.options.crm);
    }
  }

  private async readBody(body: AsyncIterable<Buffer> & { destroy?(): void }, declared: string | string[] | undefined): Promise<string> {
    const tooLarge = () =>
      new SyncError({ errorClass: "unknown", message: `${this.options.crm} answered more than ${this.maxResponseBytes} bytes; refused` });
    if (Number(declared) > this.maxResponseBytes) {
      body.destroy?.();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > this.maxResponseBytes) {
        body.destroy?.();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  private url(baseUrl: string, req: HttpRequest): URL {
    const url = /^https?:\/\//.test(req.path) ? new URL(req.path) : new URL(baseUrl.replace(/\/+$/, "") + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
      else url.searchParams.set(key, String(value));
    }
    return url;
  }

  private describe(req: HttpRequest): string {
    const path = req.path.split("?")[0]!;
    return `${req.method} ${this.options.describePath ? this.options.describePath(path) : path}`;
  }
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  return headers;
}
