import { createPrivateKey } from "node:crypto";
import { z } from "zod";

/** Unset and empty (as a configuration form may send it) are the same. */
const optionalSetting = z
  .string()
  .optional()
  .transform((value) => value?.trim() || undefined);

/**
 * The service's private key for signing requests to the job: the base64 of
 * its DER (PKCS#8), as `scripts/operator-keys.ts` prints it, or the same key
 * as PEM; Ed25519 only.
 */
const jobSigningKey = z
  .string()
  .transform((value, ctx) => {
    try {
      const key = value.startsWith("-----BEGIN")
        ? createPrivateKey(value)
        : createPrivateKey({ key: Buffer.from(value, "base64"), format: "der", type: "pkcs8" });
      if (key.asymmetricKeyType === "ed25519") return key;
    } catch {
      // reported below, without the value
    }
    ctx.addIssue({ code: "custom", message: "must be an Ed25519 private key (base64 DER or PEM)" });
    return z.NEVER;
  });

/** The service's own configuration (commercetools and CRM keys are shared, see core/config). */
export const serviceEnv = z.object({
  /** Merchant Center API URL (the session token's issuer), or a cloud identifier such as `gcp-eu`. */
  MC_API_URL: z.string().min(1),
  /** This service's public URL, as the Merchant Center forwards to it (the token's audience). */
  SERVICE_PUBLIC_URL: z.url(),
  /** The job app's URL (from the deployment): operator actions are handed to it at once; unset, its next scheduled run takes them. */
  JOB_URL: optionalSetting.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Secured: signs the service's requests to the job (the job holds the public half, JOB_VERIFY_KEY). */
  JOB_SIGNING_KEY: optionalSetting.pipe(jobSigningKey.optional()),
});
export type ServiceEnv = z.infer<typeof serviceEnv>;
