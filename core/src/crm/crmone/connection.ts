import { z } from "zod";
import type { CrmLimits } from "../../ports/crm-outbound";
import { parseRetryAfter } from "../../reliability/http-errors";
import { Pacer } from "../kit/pacing";
import { SingleFlight } from "../kit/single-flight";
import { type Authorization, Transport } from "../kit/transport";
import { crmOneError } from "./errors";

export type CrmOneAuth = "oauth" | "basic";

export type ConnectionSettings = {
  /** The instance's API entry point, `https://<host>/api.php`. */
  apiUrl: string;
  auth: CrmOneAuth;
  /** OAuth: the API client's ID and secret. Basic: a 1CRM user's name and password. */
  clientId: string;
  clientSecret: string;
  limits: CrmLimits;
};

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().optional() });
type Token = Authorization & { lifetimeMs: number };

/** A token is replaced this long before the expiry its answer names. */
const expiryMarginSeconds = 60;

/** Record IDs out of paths before they reach messages and logs. */
const describePath = (path: string) => path.replace(/^(\/data\/\w+)\/[^/]+/, "$1/{id}").replace(/^\/webhooks\/[^/]+/, "/webhooks/{id}");

/**
 * The instance's API on the kit's transport, one pacer for every request of
 * the connection (the token requests too): 1CRM documents no rate limit, so
 * we keep to the configured pace, and a Retry-After (on a 429 or a 503, from
 * the instance or a proxy in front of it) holds every request back for as
 * long as it says.
 *
 * OAuth 2.0 client credentials (`POST /auth/user/access_token`, JSON, scope
 * "read write"), one token at a time through a single-flight, replaced before
 * it expires and once when the instance refuses it (revoked, or the
 * instance's lifetime is shorter than announced); or HTTP Basic where the
 * admin enabled it (no token, nothing to refresh).
 */
export function crmOneTransport(settings: ConnectionSettings, pacer = new Pacer(settings.limits)): Transport {
  const observe = (headers: Headers) => {
    const wait = parseRetryAfter(headers.get("retry-after"));
    if (wait !== undefined) pacer.pauseFor(wait);
  };
  const common = { crm: "CRM One", pacer, toError: crmOneError, observe, describePath, timeoutMs: 20_000 };

  if (settings.auth === "basic") {
    const authorization = `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString("base64")}`;
    return new Transport({ ...common, authorize: async () => ({ baseUrl: settings.apiUrl, headers: { authorization } }) });
  }

  const tokenEndpoint = new Transport({ ...common, authorize: async () => ({ baseUrl: settings.apiUrl, headers: {} }) });
  const requestToken = async (): Promise<Token> => {
    const answer = await tokenEndpoint.json(
      // One token serves many records: its request belongs to none of them.
      { correlationId: "crmone-token" },
      {
        method: "POST",
        path: "/auth/user/access_token",
        json: { grant_type: "client_credentials", client_id: settings.clientId, client_secret: settings.clientSecret, scope: "read write" },
      },
      tokenAnswer,
    );
    const lifetimeMs = answer.expires_in === undefined ? Number.POSITIVE_INFINITY : Math.max(0, answer.expires_in - expiryMarginSeconds) * 1000;
    return { baseUrl: settings.apiUrl, headers: { authorization: `Bearer ${answer.access_token}` }, lifetimeMs };
  };
  const tokens = new SingleFlight(requestToken, (token) => token.lifetimeMs);
  return new Transport({
    ...common,
    authorize: () => tokens.get(),
    async reauthorize(rejected, answer) {
      if (answer.status !== 401) return false;
      await tokens.invalidate(rejected as Token);
      return true;
    },
  });
}
