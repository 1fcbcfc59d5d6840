import { Connection } from "jsforce";
import { SyncError } from "../../domain/errors";
import { networkError } from "../../reliability/http-errors";

export type Session = { accessToken: string; instanceUrl: string };

export type TokenSourceConfig = { loginUrl: string; clientId: string; clientSecret: string; apiVersion: string };

/** OAuth error names (RFC 6749 plus Salesforce's invalid_client_id) that mean our credentials are wrong. */
const oauthErrorNames = /^(invalid_|unauthorized_client|unsupported_grant_type|inactive_)/;

function tokenError(error: unknown): SyncError {
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  const http = /^ERROR_HTTP_(\d{3})$/.exec(name);
  if (http) {
    const status = Number(http[1]);
    if (status >= 500 || status === 408) return new SyncError({ errorClass: "crm_unavailable", message: `Salesforce token endpoint answered HTTP ${status}`, status }, { cause: error });
    if (status === 429) return new SyncError({ errorClass: "throttled", message: "Salesforce token endpoint throttled us", status }, { cause: error });
    return new SyncError({ errorClass: "auth", message: `Salesforce token endpoint answered HTTP ${status}`, status }, { cause: error });
  }
  if (oauthErrorNames.test(name)) return new SyncError({ errorClass: "auth", message: `${name}: ${message}`, code: name, status: 400 }, { cause: error });
  return networkError(error, "Salesforce token endpoint");
}

/**
 * Client-credentials tokens through jsforce's OAuth2 (run as the connected
 * app's integration user; `loginUrl` is the org's My Domain URL). One request
 * in flight at a time however many calls need a token; `invalidate` drops a
 * token the org refused so the next call fetches a fresh one.
 * The token call carries no correlation ID: one token serves many records.
 */
export class TokenSource {
  private current: Promise<Session> | undefined;

  constructor(private readonly config: TokenSourceConfig) {}

  get(): Promise<Session> {
    if (!this.current) {
      const pending = this.fetch();
      this.current = pending;
      // A failed fetch must not be cached.
      pending.catch(() => {
        if (this.current === pending) this.current = undefined;
      });
    }
    return this.current;
  }

  async invalidate(rejected: Session): Promise<void> {
    const current = await this.current?.catch(() => undefined);
    if (current?.accessToken === rejected.accessToken) this.current = undefined;
  }

  private async fetch(): Promise<Session> {
    const { loginUrl, clientId, clientSecret, apiVersion } = this.config;
    const conn = new Connection({ loginUrl, version: apiVersion, oauth2: { loginUrl, clientId, clientSecret } });
    try {
      await conn.authorize({ grant_type: "client_credentials" });
    } catch (error) {
      throw tokenError(error);
    }
    if (!conn.accessToken || !conn.instanceUrl) throw new SyncError({ errorClass: "auth", message: "Salesforce token answer lacks access_token or instance_url" });
    return { accessToken: conn.accessToken, instanceUrl: conn.instanceUrl.replace(/\/$/, "") };
  }
}
