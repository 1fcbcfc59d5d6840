import { randomBytes } from "node:crypto";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import { ApiError, sendError } from "./errors";

export type Credentials = { clientId: string; clientSecret: string };

/** Access tokens issued, with their expiry; `expireAll` plays an administrator revoking them. */
export class Tokens {
  private readonly expiries = new Map<string, number>();
  issued = 0;

  constructor(private readonly lifetimeSeconds: number) {}

  issue(): { access_token: string; expires_in: number } {
    const token = randomBytes(32).toString("base64url");
    this.expiries.set(token, Date.now() + this.lifetimeSeconds * 1000);
    this.issued++;
    return { access_token: token, expires_in: this.lifetimeSeconds };
  }

  valid(token: string): boolean {
    return (this.expiries.get(token) ?? 0) > Date.now();
  }

  expireAll(): void {
    this.expiries.clear();
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
export function tokenRoute(tokens: Tokens, credentials: Credentials): Router {
  const router = express.Router();
  router.post("/auth/user/access_token", express.json(), express.urlencoded({ extended: false }), (req, res) => {
    const body = tokenRequest.safeParse(req.body ?? {});
    if (!body.success || body.data.grant_type === undefined) return sendError(res, new ApiError(400, "The request is missing a required parameter", "invalid_request", 'Check the "grant_type" parameter'));
    if (body.data.grant_type !== "client_credentials") return sendError(res, new ApiError(400, "The authorization grant type is not supported by the authorization server.", "unsupported_grant_type"));
    if (body.data.client_id !== credentials.clientId || body.data.client_secret !== credentials.clientSecret) {
      return sendError(res, new ApiError(401, "Client authentication failed", "invalid_client"));
    }
    const scopes = (body.data.scope ?? "profile").split(" ");
    if (!scopes.every((s) => ["read", "write", "profile"].includes(s))) return sendError(res, new ApiError(400, "The requested scope is invalid, unknown, or malformed", "invalid_scope"));
    res.json({ token_type: "Bearer", ...tokens.issue() });
  });
  return router;
}

/**
 * Every data request: a Bearer token this instance issued, or HTTP Basic with
 * a user's name and password where the admin enabled Basic for the API
 * (the simulator's user is the client's ID and secret).
 */
export function requireAuth(tokens: Tokens, credentials: Credentials, basicEnabled: boolean) {
  const basic = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString("base64")}`;
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.header("authorization") ?? "";
    if (header.startsWith("Bearer ") && tokens.valid(header.slice(7))) return next();
    if (basicEnabled && header === basic) return next();
    const hint = header === "" ? 'Missing "Authorization" header' : "Access token could not be verified";
    sendError(res, new ApiError(401, "The resource owner or authorization server denied the request.", "access_denied", hint));
  };
}
