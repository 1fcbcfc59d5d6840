import http from "node:http";
import type { AddressInfo } from "node:net";
import { createJwtSigner, type JwtSigner } from "../mc/jwt";

export type SessionClaims = {
  /** The URL called: `/proxy/forward-to` makes the token for exactly that URL. */
  audience: string;
  projectKey: string;
  permissions: string[];
  subject?: string;
  /** Seconds since the epoch; now by default. */
  issuedAt?: number;
  ttlSeconds?: number;
};

/** The headers the Merchant Center adds beside the token when it forwards a call. */
export const forwardedHeaders = { "x-mc-api-cloud-identifier": "gcp-eu", "x-mc-api-forward-to-version": "v2" } as const;

/**
 * A Merchant Center session issuer for service tests: serves its JWKS at
 * `{issuer}/.well-known/jwks.json` (where `createSessionMiddleware` looks) and
 * signs session tokens as `/proxy/forward-to` does.
 */
export async function startSessionIssuer() {
  const signer = createJwtSigner();
  const server = http.createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(signer.jwks()));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    signer,
    /** A session JWT; `by` signs with another key (a forgery). */
    token(claims: SessionClaims, by: JwtSigner = signer): string {
      const iat = claims.issuedAt ?? Math.floor(Date.now() / 1000);
      return by.sign({
        iss: issuer,
        sub: claims.subject ?? "user-1",
        aud: claims.audience,
        iat,
        exp: iat + (claims.ttlSeconds ?? 60),
        [`${issuer}/claims/project_key`]: claims.projectKey,
        [`${issuer}/claims/user_permissions`]: claims.permissions,
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type SessionIssuer = Awaited<ReturnType<typeof startSessionIssuer>>;
