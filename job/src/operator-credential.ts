import { createHash, createPublicKey, type KeyObject, timingSafeEqual } from "node:crypto";
import { errors, jwtVerify } from "jose";
import { z } from "zod";
import { jobCredential } from "@ct-crm-sync/core/api/contract";

/**
 * The service's public key as configured: the base64 of its DER (SPKI), as
 * `scripts/operator-keys.ts` prints it, or the same key as PEM. Only an
 * Ed25519 key is accepted: the one algorithm the check allows.
 */
export const operatorPublicKeySchema = z
  .string()
  .trim()
  .min(1)
  .transform((value, ctx) => {
    try {
      const key = value.startsWith("-----BEGIN")
        ? createPublicKey(value)
        : createPublicKey({ key: Buffer.from(value, "base64"), format: "der", type: "spki" });
      if (key.asymmetricKeyType === "ed25519") return key;
    } catch {
      // reported below, without the value
    }
    ctx.addIssue({ code: "custom", message: "must be an Ed25519 public key (base64 DER or PEM)" });
    return z.NEVER;
  });

export type CredentialVerdict = { ok: true; tokenId: string } | { ok: false; reason: string };

/**
 * Checks that a request to the job comes from the service: a JWT signed with
 * the service's private key (EdDSA only), issued by the service for the job,
 * unexpired and at most `lifetimeSeconds` old, and carrying the SHA-256 of this
 * exact body, so a token seen once cannot carry another body. Without a key
 * every request is refused. Reasons are for the log; the token never is.
 */
export function operatorCredential(publicKey: KeyObject | undefined) {
  return async (authorization: string | undefined, body: Buffer): Promise<CredentialVerdict> => {
    if (!publicKey) return { ok: false, reason: "the job has no operator key (JOB_VERIFY_KEY) configured" };
    const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? "")?.[1];
    if (!token) return { ok: false, reason: "no bearer credential" };
    try {
      const { payload } = await jwtVerify(token, publicKey, {
        issuer: jobCredential.issuer,
        audience: jobCredential.audience,
        algorithms: ["EdDSA", "Ed25519"],
        maxTokenAge: `${jobCredential.lifetimeSeconds}s`,
        requiredClaims: ["exp", "iat", "jti", jobCredential.bodyHashClaim],
      });
      const claimed = payload[jobCredential.bodyHashClaim];
      const signed = Buffer.from(typeof claimed === "string" ? claimed : "", "base64url");
      const actual = createHash("sha256").update(body).digest();
      if (signed.length !== actual.length || !timingSafeEqual(signed, actual)) return { ok: false, reason: "the credential was issued for another body" };
      return { ok: true, tokenId: payload.jti! };
    } catch (error) {
      return { ok: false, reason: error instanceof errors.JOSEError ? `credential refused (${error.code})` : "credential unreadable" };
    }
  };
}
