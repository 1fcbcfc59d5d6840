import { OAuth2 } from "jsforce";
import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CrmBudget } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import { networkError } from "../../reliability/http-errors";
import type { Pacer } from "../kit/pacing";
import { SingleFlight } from "../kit/single-flight";
import { type Authorization, Transport } from "../kit/transport";
import { callError } from "./errors";

/** One org's REST API: the transport (based on the instance URL), the versioned data path below it, and what is left of the connection's budget. */
export type SalesforceApi = { http: Transport; data: string; budget(): CrmBudget };

export type ApiSettings = { loginUrl: string; clientId: string; clientSecret: string; apiVersion: string };

const tokenAnswer = z.object({ access_token: z.string(), instance_url: z.string(), expires_in: z.coerce.number().optional() });
type Session = Authorization & { lifetimeMs: number };

/** A token is replaced this long before the expiry its answer names (client-credentials answers usually name none). */
const expiryMarginSeconds = 60;

/** OAuth error names (RFC 6749 plus Salesforce's invalid_client_id) that mean our credentials are wrong. */
const oauthErrorNames = /^(invalid_|unauthorized_client|unsupported_grant_type|inactive_)/;

function tokenError(error: unknown): SyncError {
  const name = error instanceof Error ? error.name : "";
  const status = Number(/^ERROR_HTTP_(\d{3})$/.exec(name)?.[1] ?? 0);
  if (status > 0) {
    const errorClass = status >= 500 || status === 408 ? "crm_unavailable" : status === 429 ? "throttled" : "auth";
    return new SyncError({ errorClass, message: `Salesforce token endpoint answered HTTP ${status}`, status }, { cause: error });
  }
  if (oauthErrorNames.test(name)) return new SyncError({ errorClass: "auth", message: `${name}: ${(error as Error).message}`, code: name, status: 400 }, { cause: error });
  return networkError(error, "Salesforce token endpoint");
}

/**
 * Client-credentials flow through jsforce's OAuth2 (the connected app's run-as
 * user; `loginUrl` is the My Domain URL). The token request carries no
 * correlation ID: one token serves many records.
 */
async function requestSession({ loginUrl, clientId, clientSecret }: ApiSettings): Promise<Session> {
  let answer: unknown;
  try {
    answer = await new OAuth2({ loginUrl, clientId, clientSecret }).requestToken({ grant_type: "client_credentials" });
  } catch (error) {
    throw tokenError(error);
  }
  const token = tokenAnswer.safeParse(answer);
  if (!token.success) throw new SyncError({ errorClass: "auth", message: "Salesforce token answer lacks access_token or instance_url" });
  const { access_token, instance_url, expires_in } = token.data;
  const lifetimeMs = expires_in === undefined ? Number.POSITIVE_INFINITY : Math.max(0, expires_in - expiryMarginSeconds) * 1000;
  return { baseUrl: instance_url, headers: { authorization: `Bearer ${access_token}` }, lifetimeMs };
}

/**
 * The org's API on the kit's transport: one token at a time, replaced once
 * when the org answers INVALID_SESSION_ID; the daily API usage announced in
 * Sforce-Limit-Info is kept for `budget` and warned about (counts only) when it crosses 90 %.
 */
export function salesforceApi(settings: ApiSettings, pacer: Pacer, logger: Logger): SalesforceApi {
  const sessions = new SingleFlight(() => requestSession(settings), (session) => session.lifetimeMs);
  let allowanceUsed: number | undefined;
  const http = new Transport({
    crm: "Salesforce",
    pacer,
    authorize: () => sessions.get(),
    // Salesforce answers 403 for other reasons (REQUEST_LIMIT_EXCEEDED): only a refused session is worth a new token.
    async reauthorize(rejected, answer) {
      if (callError(answer).details.code !== "INVALID_SESSION_ID") return false;
      await sessions.invalidate(rejected as Session);
      return true;
    },
    toError: callError,
    observe(headers, ctx) {
      const usage = /api-usage=(\d+)\/(\d+)/.exec(headers.get("sforce-limit-info") ?? "");
      if (!usage) return;
      const [used, max] = [Number(usage[1]), Number(usage[2])];
      const wasAbove = (allowanceUsed ?? 0) >= 0.9;
      allowanceUsed = used / max;
      if (allowanceUsed >= 0.9 && !wasAbove) logger.warn("Salesforce daily API usage above 90%", { used, max, correlationId: ctx.correlationId });
    },
  });
  const budget = (): CrmBudget => (allowanceUsed === undefined ? { queueFull: pacer.full } : { queueFull: pacer.full, allowanceUsed });
  return { http, data: `/services/data/v${settings.apiVersion}`, budget };
}
