import { createHash, timingSafeEqual } from "node:crypto";
import type { InboundRequest, Refusal } from "../../ports/crm-inbound";

/** The header a CRM that cannot put our secret in the URL sends it in. */
export const sharedSecretHeader = "x-ct-crm-sync-secret";

/** Compared as digests of equal length, so the time taken says nothing about the secret or its length. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest());
}

/**
 * For CRMs whose deliveries carry no signature: authentic when they carry the
 * shared secret the admin configured, in the URL (`?secret=`) or the header.
 * No secret configured refuses everything: an open endpoint is never the default.
 */
export function sharedSecretRefusal(request: InboundRequest, expected: string | undefined, crm: string): Refusal | undefined {
  if (!expected) return { status: 401, reason: `no shared secret is configured for ${crm} webhooks` };
  const given = request.query.secret ?? request.headers[sharedSecretHeader];
  if (!given || !sameSecret(given, expected)) return { status: 401, reason: "the shared secret is missing or wrong" };
  return undefined;
}
