import type { ConsentState } from "./model";

/**
 * Consent events arrive in any order (at-least-once, unordered delivery, and
 * replays). The newest event by its own timestamp wins, whatever the delivery
 * order; on a tie a revocation wins, so an older or concurrent grant can never
 * undo a withdrawal of consent.
 */
export type ConsentDecision = { state: ConsentState | undefined; kept: "incoming" | "previous"; why: string };

export function mergeConsent(previous: ConsentState | undefined, incoming: ConsentState | undefined): ConsentDecision {
  if (!incoming) return { state: previous, kept: "previous", why: "no consent in the incoming record" };
  if (!previous) return { state: incoming, kept: "incoming", why: "first consent event" };
  const prevAt = Date.parse(previous.at);
  const inAt = Date.parse(incoming.at);
  if (Number.isNaN(inAt) || inAt < prevAt) return { state: previous, kept: "previous", why: "incoming consent event is older than the one written" };
  if (inAt > prevAt || Number.isNaN(prevAt)) return { state: incoming, kept: "incoming", why: "newer consent event" };
  if (!previous.granted && incoming.granted) return { state: previous, kept: "previous", why: "same time: revocation wins over grant" };
  return { state: incoming, kept: "incoming", why: "same time" };
}

/** The consent fields of a canonical record, as they come from a link's `written`. */
export function writtenConsent(written: Record<string, unknown> | undefined, key: "emailConsent" | "smsConsent"): ConsentState | undefined {
  const value = written?.[key];
  if (!value || typeof value !== "object") return undefined;
  const { granted, at, source } = value as Partial<ConsentState>;
  if (typeof granted !== "boolean" || typeof at !== "string") return undefined;
  return { granted, at, ...(typeof source === "string" ? { source } : {}) };
}
