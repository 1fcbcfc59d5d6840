import type { INetworkModule } from "@azure/msal-node";
import { parseRetryAfter } from "../../reliability/http-errors";
import type { Pacer } from "../kit/pacing";
import { SingleFlight } from "../kit/single-flight";
import { type Authorization, Transport } from "../kit/transport";
import { answerError } from "./errors";
import { describePath } from "./odata";
import { type AccessToken, type TokenSettings, tokenSource } from "./token";

/** One org's Web API: the kit's transport on its service root (`{orgUrl}/api/data/v9.2`). */
export type DataverseApi = { http: Transport; serviceRoot: string };

export const apiVersion = "9.2";

/** A token is replaced this long before its expiry, so no request leaves with one about to run out. */
const refreshMarginMs = 5 * 60_000;

/**
 * Dataverse's timeout for one request is two minutes; a `$batch` of a
 * thousand upserts can take most of it.
 */
const requestTimeoutMs = 120_000;

export type ApiOptions = { now?: () => number; networkClient?: INetworkModule };

/**
 * The org's Web API on the kit's transport: one token at a time from the
 * token source, refreshed before it expires and replaced once when the org
 * answers 401; every answer's Retry-After holds the connection's pacer back,
 * so the other requests wait out the service-protection window too.
 */
export function dataverseApi(settings: TokenSettings, pacer: Pacer, options: ApiOptions = {}): DataverseApi {
  const now = options.now ?? Date.now;
  const source = tokenSource(settings, options);
  const tokens = new SingleFlight<AccessToken>(() => source.acquire(), (token) => Math.max(0, token.expiresAt - now() - refreshMarginMs), now);
  const serviceRoot = `${settings.orgUrl.replace(/\/+$/, "")}/api/data/v${apiVersion}`;
  const http = new Transport({
    crm: "Dynamics 365",
    pacer,
    timeoutMs: requestTimeoutMs,
    async authorize() {
      const token = await tokens.get();
      // The token rides along so a refusal can name which one to drop.
      const authorization: Authorization & { token: AccessToken } = { baseUrl: serviceRoot, headers: { authorization: `Bearer ${token.value}`, "odata-maxversion": "4.0", "odata-version": "4.0" }, token };
      return authorization;
    },
    // 403 is a missing privilege, which a new token does not give: only 401 is worth one.
    async reauthorize(rejected, answer) {
      if (answer.status !== 401) return false;
      await tokens.invalidate((rejected as { token?: AccessToken }).token);
      return true;
    },
    toError: (answer) => answerError(answer.status, answer.headers, answer.text),
    observe(headers) {
      const wait = parseRetryAfter(headers.get("retry-after"));
      if (wait !== undefined) pacer.pauseFor(wait);
    },
    describePath,
  });
  return { http, serviceRoot };
}
