import { randomBytes, createHmac } from "node:crypto";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import { sendErrors } from "./errors";

export type AuthOptions = {
  clientId: string;
  clientSecret: string;
  /** Lifetime of issued tokens; Salesforce's default session timeout is 2 h. */
  tokenTtlMs: number;
  /** Adds `expires_in` (seconds) to token answers, as some OAuth servers do; Salesforce's client-credentials answers carry none. */
  announceExpiry?: boolean;
};

export const orgId = "00D5g00000SIMORG";
export const userId = "0055g00000SIMUSR";

const tokenForm = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

/** Issued access tokens; `expireAll` simulates an expired session. */
export class TokenRegistry {
  private tokens = new Map<string, number>();
  issued = 0;

  constructor(private readonly ttlMs: number) {}

  issue(): string {
    const token = `${orgId}!AQ${randomBytes(24).toString("base64url")}`;
    this.tokens.set(token, Date.now() + this.ttlMs);
    this.issued++;
    return token;
  }

  isValid(token: string): boolean {
    const expires = this.tokens.get(token);
    return expires !== undefined && expires > Date.now();
  }

  expireAll(): void {
    this.tokens.clear();
  }
}

const oauthError = (res: Response, error: string, description: string) => res.status(400).json({ error, error_description: description });

/**
 * `POST /services/oauth2/token`, client-credentials flow only. Wrong client id
 * answers invalid_client_id, wrong secret invalid_client (as Salesforce words
 * them); any other grant type unsupported_grant_type; a missing grant type invalid_grant.
 */
export function tokenRouter(registry: TokenRegistry, options: AuthOptions): Router {
  const router = express.Router();
  router.post("/services/oauth2/token", express.urlencoded({ extended: false }), (req, res) => {
    const form = tokenForm.safeParse(req.body ?? {});
    if (!form.success || !form.data.grant_type) return oauthError(res, "invalid_grant", "grant type missing");
    const { grant_type, client_id, client_secret } = form.data;
    if (grant_type !== "client_credentials") return oauthError(res, "unsupported_grant_type", "grant type not supported");
    if (client_id !== options.clientId) return oauthError(res, "invalid_client_id", "client identifier invalid");
    if (client_secret !== options.clientSecret) return oauthError(res, "invalid_client", "invalid client credentials");
    const instanceUrl = `${req.protocol}://${req.get("host")}`;
    const issuedAt = String(Date.now());
    const id = `${instanceUrl}/id/${orgId}/${userId}`;
    const accessToken = registry.issue();
    res.json({
      access_token: accessToken,
      signature: createHmac("sha256", options.clientSecret).update(id + issuedAt).digest("base64"),
      scope: "api",
      instance_url: instanceUrl,
      id,
      token_type: "Bearer",
      issued_at: issuedAt,
      ...(options.announceExpiry ? { expires_in: Math.floor(options.tokenTtlMs / 1000) } : {}),
    });
  });
  return router;
}

/** Data calls need `Authorization: Bearer <token>`; otherwise 401 INVALID_SESSION_ID. */
export function bearerAuth(registry: TokenRegistry) {
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer (.+)$/.exec(req.get("authorization") ?? "");
    if (!match || !registry.isValid(match[1]!)) {
      sendErrors(res, 401, [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }]);
      return;
    }
    next();
  };
}
