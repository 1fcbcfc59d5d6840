import type { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CallContext } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import { networkError } from "../../reliability/http-errors";
import { callError } from "./errors";
import type { TokenSource } from "./auth";

export type ClientConfig = {
  apiVersion: string;
  /** Header carrying CallContext.correlationId; Salesforce ignores headers it does not know. */
  correlationHeader: string;
  timeoutMs: number;
  throttleRetryAfterSeconds: number;
  logger?: Logger;
};

export type RequestOptions = {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Relative to /services/data/vXX.X (e.g. `/query?q=...`), or absolute from the host (`/services/...`). */
  path: string;
  json?: unknown;
  csv?: string;
};

export type ApiUsage = { used: number; max: number };

/**
 * The REST transport: bearer token from TokenSource, correlation header on every
 * call, one re-authentication on INVALID_SESSION_ID, Sforce-Limit-Info tracking,
 * and every failure of the whole call as a SyncError. Plain fetch rather than
 * jsforce's request(): jsforce's errors drop the HTTP status and headers and it
 * cannot add our header to every call (Bulk 2.0 in particular).
 */
export class SalesforceClient {
  /** Daily API usage from the last response's Sforce-Limit-Info. */
  apiUsage: ApiUsage | undefined;

  constructor(
    private readonly tokens: TokenSource,
    private readonly config: ClientConfig,
  ) {}

  async json<T>(options: RequestOptions, schema: z.ZodType<T>, ctx: CallContext): Promise<T> {
    const { response, text } = await this.send(options, ctx);
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new SyncError({ errorClass: "unknown", message: `Salesforce answered ${options.method} with a body that is not JSON`, status: response.status });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new SyncError({
        errorClass: "unknown",
        message: `Salesforce answered ${options.method} with an unexpected shape: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`,
        status: response.status,
      });
    }
    return parsed.data;
  }

  async text(options: RequestOptions, ctx: CallContext): Promise<string> {
    return (await this.send(options, ctx)).text;
  }

  private url(session: { instanceUrl: string }, path: string): string {
    const absolute = path.startsWith("/services/") ? path : `/services/data/v${this.config.apiVersion}${path}`;
    return session.instanceUrl + absolute;
  }

  private async send(options: RequestOptions, ctx: CallContext): Promise<{ response: Response; text: string }> {
    for (let attempt = 1; ; attempt++) {
      const session = await this.tokens.get();
      const headers: Record<string, string> = {
        Authorization: `Bearer ${session.accessToken}`,
        Accept: "application/json",
        [this.config.correlationHeader]: ctx.correlationId,
      };
      let body: string | undefined;
      if (options.json !== undefined) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(options.json);
      } else if (options.csv !== undefined) {
        headers["Content-Type"] = "text/csv";
        body = options.csv;
      }
      const timeout = AbortSignal.timeout(this.config.timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
      let response: Response;
      let text: string;
      try {
        response = await fetch(this.url(session, options.path), { method: options.method, headers, body, signal });
        text = await response.text();
      } catch (error) {
        throw networkError(error, "Salesforce");
      }
      this.trackUsage(response.headers.get("sforce-limit-info"), ctx);
      if (response.ok) return { response, text };
      const error = callError(response.status, text, response.headers, this.config.throttleRetryAfterSeconds);
      // An expired or revoked session: fetch a new token once, then give up as "auth".
      if (error.details.code === "INVALID_SESSION_ID" && attempt === 1) {
        await this.tokens.invalidate(session);
        continue;
      }
      throw error;
    }
  }

  private trackUsage(header: string | null, ctx: CallContext): void {
    const match = /api-usage=(\d+)\/(\d+)/.exec(header ?? "");
    if (!match) return;
    const usage = { used: Number(match[1]), max: Number(match[2]) };
    const crossed = usage.used >= usage.max * 0.9 && (!this.apiUsage || this.apiUsage.used < this.apiUsage.max * 0.9);
    this.apiUsage = usage;
    if (crossed) this.config.logger?.warn("Salesforce daily API usage above 90%", { ...usage, correlationId: ctx.correlationId });
  }
}
