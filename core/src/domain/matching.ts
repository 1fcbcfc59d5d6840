import type { MappingConfig } from "./mapping-config";

/**
 * Identity matching as ordered rules: stored link → CRM external-ID field →
 * normalised email → configured custom keys. The first rule that finds
 * anybody decides; more than one candidate is never merged silently — the
 * record goes to review with the candidates listed.
 */
export type MatchRule = MappingConfig["matching"]["rules"][number];

export type MatchCandidate = { crmId: string; sourceId?: string };

export type MatchResult =
  | { kind: "matched"; rule: MatchRule; candidate: MatchCandidate }
  | { kind: "none" }
  | { kind: "ambiguous"; rule: MatchRule; candidates: MatchCandidate[] };

/** Candidates per rule, looked up lazily: later rules are only asked when earlier ones found nobody. */
export type MatchLookup = (rule: MatchRule) => Promise<MatchCandidate[]>;

export async function matchIdentity(rules: readonly MatchRule[], lookup: MatchLookup): Promise<MatchResult> {
  for (const rule of rules) {
    const found = dedupe(await lookup(rule));
    if (found.length === 1) return { kind: "matched", rule, candidate: found[0]! };
    if (found.length > 1) return { kind: "ambiguous", rule, candidates: found };
  }
  return { kind: "none" };
}

function dedupe(candidates: MatchCandidate[]): MatchCandidate[] {
  const byId = new Map<string, MatchCandidate>();
  for (const candidate of candidates) if (!byId.has(candidate.crmId)) byId.set(candidate.crmId, candidate);
  return [...byId.values()];
}

export function describeAmbiguity(result: Extract<MatchResult, { kind: "ambiguous" }>): string {
  const list = result.candidates.map((c) => (c.sourceId ? `${c.crmId} (${c.sourceId})` : c.crmId)).join(", ");
  return `${result.candidates.length} CRM people match by ${result.rule}; review and resolve before anything is written: ${list}`;
}
