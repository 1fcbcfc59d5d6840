import { randomBytes } from "node:crypto";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import { ApiError, sendError } from "./errors";

/**
 * An API client and the 1CRM user it acts as (the admin assigns one to a
 * client-credentials client; with Basic, the user signs in as themselves).
 * Writes record that user in `created_by` and `modified_user_id`.
 */
export type ApiClient = { clientId: string; clientSecret: string; userId: string };

/** Access tokens issued, with their user and expiry; `expireAll` plays an administrator revoking them. */
export class Tokens {
  private readonly issuedTokens = new Map<string, { userId: string; expiresAt: number }>();
  issued = 0;

  constructor(private readonly lifetimeSeconds: number) {}

  issue(userId: string): { access_token: string; expires_in: number } {
    const token = randomBytes(32).toString("base64url");
    this.issuedTokens.set(token, { userId, expiresAt: Date.now() + this.lifetimeSeconds * 1000 });
    this.issued++;
    return { access_token: token, expires_in: this.lifetimeSeconds };
  }

  /** The user a token acts as, while it is valid. */
  userOf(token: string): string | undefined {
    const found = this.issuedTokens.get(token);
    return found && found.expiresAt > Date.now() ? found.userId : undefined;
  }

  expireAll(): void {
    this.issuedTokens.clear();
  }
}

const tokenRequest = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
});

/**
 * `POST /auth/user/access_token` (below /api.php): the client-credentials
 * grant, JSON (as the official client sends it) or a form. Answers
 * `{token_type: "Bearer", expires_in, access_token}`; no refresh token for
 * this grant. Wrong client → 401 `invalid_client`.
 */
export function tokenRoute(tokens: Tokens, clients: readonly ApiClient[]): Router {
  const router = express.Router();
  router.post("/auth/user/access_token", express.json(), express.urlencoded({ extended: false }), (req, res) => {
    const body = tokenRequest.safeParse(req.body ?? {});
    if (!body.success || body.data.grant_type === undefined) return sendError(res, new ApiError(400, "The request is missing a required parameter", "invalid_request", 'Check the "grant_type" parameter'));
    if (body.data.grant_type !== "client_credentials") return sendError(res, new ApiError(400, "The authorization grant type is not supported by the authorization server.", "unsupported_grant_type"));
    const client = clients.find((c) => c.clientId === body.data.client_id && c.clientSecret === body.data.client_secret);
    if (!client) return sendError(res, new ApiError(401, "Client authentication failed", "invalid_client"));
    const scopes = (body.data.scope ?? "profile").split(" ");
    if (!scopes.every((s) => ["read", "write", "profile"].includes(s))) return sendError(res, new ApiError(400, "The requested scope is invalid, unknown, or malformed", "invalid_scope"));
    res.json({ token_type: "Bearer", ...tokens.issue(client.userId) });
  });
  return router;
}

/**
 * Every data request: a Bearer token this instance issued, or HTTP Basic with
 * a user's name and password where the admin enabled Basic for the API (the
 * simulator's users sign in with their client's ID and secret). The acting
 * user goes to `res.locals.userId`.
 */
export function requireAuth(tokens: Tokens, clients: readonly ApiClient[], basicEnabled: boolean) {
  const basic = new Map(clients.map((c) => [`Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString("base64")}`, c.userId]));
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.header("authorization") ?? "";
    const userId = header.startsWith("Bearer ") ? tokens.userOf(header.slice(7)) : basicEnabled ? basic.get(header) : undefined;
    if (userId) {
      res.locals.userId = userId;
      return next();
    }
    const hint = header === "" ? 'Missing "Authorization" header' : "Access token could not be verified";
    sendError(res, new ApiError(401, "The resource owner or authorization server denied the request.", "access_denied", hint));
  };
}
