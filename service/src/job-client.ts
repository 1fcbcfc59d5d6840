import { createHash, randomUUID, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { jobCredential, type Operation } from "@ct-crm-sync/core/api/contract";
import type { Logger } from "@ct-crm-sync/core/ports/logger";

export type JobConnection = { url: string; signingKey: KeyObject };

/**
 * The credential for one request to the job (job/src/operator-credential.ts
 * checks it): an EdDSA JWT from the service to the job, valid for
 * `lifetimeSeconds`, over the SHA-256 of exactly `body`, its ID the
 * operation's (or a fresh one for a request naming none).
 */
export function signJobRequest(signingKey: KeyObject, body: string, tokenId: string = randomUUID()): Promise<string> {
  return new SignJWT({ [jobCredential.bodyHashClaim]: createHash("sha256").update(body).digest("base64url") })
    .setProtectedHeader({ alg: "EdDSA" })
    .setIssuer(jobCredential.issuer)
    .setAudience(jobCredential.audience)
    .setIssuedAt()
    .setExpirationTime(`${jobCredential.lifetimeSeconds}s`)
    .setJti(tokenId)
    .sign(signingKey);
}

/**
 * Hands an operation to the job: a signed `POST /` naming it, not waited for
 * (the job answers when the run ends; the operation's record shows how far it
 * is). When the job cannot be reached or refuses, the operation stays queued
 * and the job's next scheduled run takes it, so nothing is lost either way.
 */
export function jobHandOff(job: JobConnection | undefined, logger: Logger) {
  return async (operation: Operation, correlationId: string): Promise<void> => {
    if (!job) {
      logger.info("operation queued for the job's next scheduled run (JOB_URL or JOB_SIGNING_KEY not set)", { correlationId, operationId: operation.id });
      return;
    }
    const body = JSON.stringify({ operation: operation.id });
    const authorization = `Bearer ${await signJobRequest(job.signingKey, body, operation.id)}`;
    fetch(job.url, { method: "POST", headers: { authorization, "content-type": "application/json", "x-correlation-id": correlationId }, body }).then(
      async (response) => {
        await response.body?.cancel();
        const meta = { correlationId, operationId: operation.id, status: response.status };
        if (response.ok) logger.info("the job ran the operation", meta);
        else logger.warn("the job did not run the operation now; a scheduled run takes it if it still waits", meta);
      },
      (error: unknown) =>
        logger.warn("no answer from the job (unreachable, or still running when the connection ended); a scheduled run takes the operation if it still waits", {
          correlationId,
          operationId: operation.id,
          errorMessage: (error as Error).message,
        }),
    );
  };
}
export type JobHandOff = ReturnType<typeof jobHandOff>;
