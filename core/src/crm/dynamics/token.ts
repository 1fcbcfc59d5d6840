import { AuthError, ConfidentialClientApplication, type INetworkModule } from "@azure/msal-node";
import { z } from "zod";
import { SyncError } from "../../domain/errors";
import { classifyStatus } from "../../reliability/http-errors";
import { type HttpAnswer, Transport } from "../kit/transport";

/** An access token for the org's Web API and when it stops being valid (epoch ms). */
export type AccessToken = { value: string; expiresAt: number };

/** Where tokens come from: Microsoft identity through msal in production, a plain form POST against a local authority. */
export interface TokenSource {
  acquire(): Promise<AccessToken>;
}

export type TokenSettings = {
  /** `https://login.microsoftonline.com`, or the simulator's URL. */
  authorityUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The org URL; the token's scope is `{orgUrl}/.default`. */
  orgUrl: string;
  /** `auto`: msal unless the authority is plain http or on this machine. */
  client: "auto" | "msal" | "form";
};

/** OAuth error names (RFC 6749) that mean the app registration or its secret is wrong: nothing a retry changes. */
const credentialErrors = /^(invalid_|unauthorized_client|unsupported_grant_type)/;
/** The AADSTS code in Microsoft identity's description; the rest (trace IDs, timestamps) is left out. */
const aadstsCode = (description: string | undefined) => /AADSTS\d+/.exec(description ?? "")?.[0];

const scopeOf = (settings: TokenSettings) => `${settings.orgUrl.replace(/\/+$/, "")}/.default`;

/** Whether msal can talk to the authority: it refuses http:// authorities, which only local stand-ins use. */
export function usesMsal(settings: Pick<TokenSettings, "authorityUrl" | "client">): boolean {
  if (settings.client !== "auto") return settings.client === "msal";
  const url = new URL(settings.authorityUrl);
  return url.protocol === "https:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

const identityAnswer = z.object({ error: z.string(), error_description: z.string().optional() });

function identityError({ status, text }: HttpAnswer): SyncError {
  let answer: z.infer<typeof identityAnswer> | undefined;
  try {
    answer = identityAnswer.safeParse(JSON.parse(text)).data;
  } catch {
    // Not JSON: the status decides.
  }
  const errorClass = answer && credentialErrors.test(answer.error) ? "auth" : classifyStatus(status);
  const code = aadstsCode(answer?.error_description);
  const why = answer ? `${answer.error}${code ? ` (${code})` : ""}` : `HTTP ${status}`;
  return new SyncError({ errorClass, status, message: `Microsoft identity refused the token request: ${why}`, ...(answer ? { code: answer.error } : {}) });
}

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });

/** The client-credentials grant as a form POST to `{authority}/{tenant}/oauth2/v2.0/token`. */
function formPostSource(settings: TokenSettings, now: () => number): TokenSource {
  const http = new Transport({
    crm: "Microsoft identity",
    authorize: async () => ({ baseUrl: settings.authorityUrl, headers: {} }),
    toError: identityError,
    timeoutMs: 30_000,
  });
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: settings.clientId, client_secret: settings.clientSecret, scope: scopeOf(settings) }).toString();
  return {
    async acquire() {
      const path = `/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`;
      // One token serves many records: the request carries a correlation ID of its own.
      const answer = await http.json({ correlationId: "dynamics-token" }, { method: "POST", path, body: form, contentType: "application/x-www-form-urlencoded" }, tokenAnswer);
      return { value: answer.access_token, expiresAt: now() + answer.expires_in * 1000 };
    },
  };
}

function msalError(error: unknown): SyncError {
  if (!(error instanceof AuthError)) return new SyncError({ errorClass: "crm_unavailable", message: "Microsoft identity could not be reached for a token" }, { cause: error });
  const errorClass = credentialErrors.test(error.errorCode) ? "auth" : "crm_unavailable";
  const code = aadstsCode(error.errorMessage);
  return new SyncError({ errorClass, code: error.errorCode, message: `Microsoft identity refused the token request: ${error.errorCode}${code ? ` (${code})` : ""}` }, { cause: error });
}

/** The client-credentials grant through msal (authority discovery, its own token cache). */
function msalSource(settings: TokenSettings, now: () => number, networkClient?: INetworkModule): TokenSource {
  const app = new ConfidentialClientApplication({
    auth: { clientId: settings.clientId, clientSecret: settings.clientSecret, authority: `${settings.authorityUrl.replace(/\/+$/, "")}/${settings.tenantId}` },
    ...(networkClient ? { system: { networkClient } } : {}),
  });
  return {
    async acquire() {
      let result: Awaited<ReturnType<typeof app.acquireTokenByClientCredential>>;
      try {
        result = await app.acquireTokenByClientCredential({ scopes: [scopeOf(settings)] });
      } catch (error) {
        throw msalError(error);
      }
      if (!result?.accessToken) throw new SyncError({ errorClass: "auth", message: "Microsoft identity answered without an access token" });
      return { value: result.accessToken, expiresAt: result.expiresOn?.getTime() ?? now() + 3_600_000 };
    },
  };
}

/**
 * The token source the settings call for. `networkClient` routes msal's HTTP
 * (tests point it at the simulator); production leaves it out.
 */
export function tokenSource(settings: TokenSettings, options: { now?: () => number; networkClient?: INetworkModule } = {}): TokenSource {
  const now = options.now ?? Date.now;
  return usesMsal(settings) ? msalSource(settings, now, options.networkClient) : formPostSource(settings, now);
}
