import type { z } from "zod";
import type { CallContext, CrmLimits } from "../../ports/crm-outbound";
import { Allowance, AllowancePacer, type AllowanceLimits } from "../kit/allowance";
import { Transport, type HttpMethod, type HttpRequest } from "../kit/transport";
import { freshsalesError } from "./errors";

export type ApiSettings = {
  /** `https://<bundle>.myfreshworks.com/crm/sales/api` or the legacy `https://<domain>.freshsales.io/api`. */
  baseUrl: string;
  apiKey: string;
  limits: CrmLimits;
  allowance: AllowanceLimits;
};

/** One Freshsales connection: its transport and the pacer every request of both directions passes. */
export type FreshsalesApi = { transport: Transport; pacer: AllowancePacer };

/** After a 429 without Retry-After, every request of the connection holds back this long (the retry policy backs off on top). */
const unannouncedThrottleSeconds = 5;

/**
 * Freshsales on the kit's transport: `Authorization: Token token=<key>`,
 * paced per second and per connection (the per-minute cap), within the
 * hourly allowance, and held back whenever Freshsales answers 429.
 */
export function freshsalesApi(settings: ApiSettings): FreshsalesApi {
  const pacer = new AllowancePacer(settings.limits, new Allowance(settings.allowance));
  const authorization = `Token token=${settings.apiKey}`;
  const transport = new Transport({
    crm: "Freshsales",
    authorize: async () => ({ baseUrl: settings.baseUrl, headers: { authorization } }),
    toError(answer) {
      const error = freshsalesError(answer);
      if (answer.status === 429) pacer.pauseFor(error.details.retryAfterSeconds ?? unannouncedThrottleSeconds);
      return error;
    },
    pacer,
    timeoutMs: 20_000,
    // Record and job IDs out of paths: they end up in error messages and logs.
    describePath: (path) => path.replace(/\/\d+(?=\/|$)/g, "/{id}").replace(/\/job_statuses\/[^/]+/, "/job_statuses/{id}"),
  });
  return { transport, pacer };
}

/** One adapter call: the connection and the caller's context. */
export type Call = { api: FreshsalesApi; ctx: CallContext };

export function send<T extends z.ZodType>(call: Call, method: HttpMethod, path: string, schema: T, options: Pick<HttpRequest, "query" | "json"> = {}): Promise<z.infer<T>> {
  return call.api.transport.json(call.ctx, { method, path, ...options }, schema);
}
