import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from "node:crypto";

/**
 * RS256 JWT signing for the Merchant Center API stand-in, on node:crypto alone.
 * (The root workspace has no `jose`; what the service verifies with is
 * `jose.jwtVerify` behind `createSessionMiddleware`, which checks exactly what
 * a standard RS256 JWS carries: header alg/kid, iss, aud, exp.)
 */
export type JwtSigner = {
  kid: string;
  sign(payload: Record<string, unknown>): string;
  /** Returns the payload when the signature is ours and the token has not expired, otherwise undefined. */
  verify(token: string): Record<string, unknown> | undefined;
  jwks(): { keys: Record<string, unknown>[] };
};

const b64url = (input: Buffer | string) => Buffer.from(input).toString("base64url");

export function createJwtSigner(): JwtSigner {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    kid,
    sign(payload) {
      const header = { alg: "RS256", typ: "JWT", kid };
      const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
      const signature = sign("sha256", Buffer.from(signingInput), privateKey);
      return `${signingInput}.${b64url(signature)}`;
    },
    verify(token) {
      return verifyWith(publicKey, token);
    },
    jwks() {
      const jwk = createPublicKey(privateKey).export({ format: "jwk" }) as Record<string, unknown>;
      return { keys: [{ ...jwk, kid, alg: "RS256", use: "sig" }] };
    },
  };
}

function verifyWith(publicKey: KeyObject, token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const ok = verify("sha256", Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, "base64url"));
  if (!ok) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
