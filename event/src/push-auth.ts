import { createRemoteJWKSet, jwtVerify } from "jose";
import { z } from "zod";
import type { Request } from "express";

/**
 * Pub/Sub push authentication: a push subscription configured with a service
 * account sends `Authorization: Bearer <OIDC token>` signed by Google. With
 * these settings the event app acts only on pushes whose token verifies
 * (signature, issuer, audience, the service account's verified email);
 * without them it still never trusts what a push carries (it re-reads every
 * resource), so a forged push can at most ask for a harmless re-sync.
 */
export const pushAuthEnv = z
  .object({
    PUBSUB_PUSH_AUDIENCE: z.string().trim().min(1).optional(),
    PUBSUB_PUSH_SERVICE_ACCOUNT: z.email().optional(),
    /** Google's signing keys; a local issuer's in the sandbox and tests. */
    PUBSUB_PUSH_JWKS_URL: z.url({ protocol: /^https?$/ }).default("https://www.googleapis.com/oauth2/v3/certs"),
    PUBSUB_PUSH_ISSUER: z.string().trim().min(1).default("https://accounts.google.com"),
  })
  .refine((env) => (env.PUBSUB_PUSH_AUDIENCE === undefined) === (env.PUBSUB_PUSH_SERVICE_ACCOUNT === undefined), {
    path: ["PUBSUB_PUSH_SERVICE_ACCOUNT"],
    message: "set together with PUBSUB_PUSH_AUDIENCE (both or neither)",
  });
export type PushAuthEnv = z.infer<typeof pushAuthEnv>;

export type PushAuthenticator = (req: Request) => Promise<{ ok: true } | { ok: false; reason: string }>;

const googleIssuers = ["https://accounts.google.com", "accounts.google.com"];

/** Undefined when push authentication is not configured. */
export function pushAuthenticator(env: PushAuthEnv): PushAuthenticator | undefined {
  const { PUBSUB_PUSH_AUDIENCE: audience, PUBSUB_PUSH_SERVICE_ACCOUNT: serviceAccount } = env;
  if (!audience || !serviceAccount) return undefined;
  const keys = createRemoteJWKSet(new URL(env.PUBSUB_PUSH_JWKS_URL));
  const issuer = env.PUBSUB_PUSH_ISSUER === googleIssuers[0] ? googleIssuers : [env.PUBSUB_PUSH_ISSUER];
  return async (req) => {
    const match = /^Bearer ([A-Za-z0-9._-]+)$/.exec(req.get("authorization") ?? "");
    if (!match) return { ok: false, reason: "no bearer token" };
    try {
      const { payload } = await jwtVerify(match[1]!, keys, { issuer, audience, algorithms: ["RS256"] });
      if (payload.email !== serviceAccount || payload.email_verified !== true) return { ok: false, reason: "token of another service account" };
      return { ok: true };
    } catch (error) {
      // jose's codes name the check that failed (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED, ...), never the token.
      return { ok: false, reason: (error as { code?: string }).code ?? "token did not verify" };
    }
  };
}
