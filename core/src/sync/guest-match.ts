import { SyncError } from "../domain/errors";
import { guestSourceId } from "../domain/keys";
import type { MappingConfig } from "../domain/mapping-config";
import { describeAmbiguity, matchIdentity, type MatchCandidate, type MatchResult } from "../domain/matching";
import type { CallContext, CrmAdapter, CrmRecord } from "../ports/crm-outbound";
import type { LinkStore } from "../state/link-store";

/**
 * Who placed a guest order (an order with only an email), by the configured
 * ordered rules: the guest's stored link → the CRM external-ID field (the
 * guest's derived ID) → the normalised email among people we synced. Custom
 * keys do not apply: a guest carries none. A reviewer's decision of who the
 * guest is (an ambiguous match resolved) comes before all of them.
 */
const candidate = (r: CrmRecord): MatchCandidate => ({ crmId: r.crmId, ...(r.sourceId ? { sourceId: r.sourceId } : {}) });

export async function matchGuest(
  deps: { crm: CrmAdapter; links: LinkStore },
  email: string,
  matching: MappingConfig["matching"] | undefined,
  ctx: CallContext,
): Promise<MatchResult> {
  const guestId = guestSourceId(email);
  // A reviewer's decision on an earlier ambiguous match stands: the guest is that person, or a record of their own.
  const identity = await deps.links.guestIdentity(guestId);
  if (identity?.person) return { kind: "matched", rule: "link", candidate: identity.person };
  const byEmail = matching?.guests !== "create" && !identity;
  const rules = (matching?.rules ?? ["link", "externalId", "email"]).filter((r) => r !== "email" || byEmail);
  return matchIdentity(rules, async (rule) => {
    switch (rule) {
      case "link": {
        const link = await deps.links.get("person", guestId);
        return link ? [{ crmId: link.value.crmId, sourceId: guestId }] : [];
      }
      case "externalId":
        return (await deps.crm.findPeople({ sourceId: guestId }, ctx)).map(candidate);
      case "email":
        // Only people we synced can carry an order (orders reference the person by commercetools ID).
        return (await deps.crm.findPeople({ email }, ctx)).filter((m) => m.sourceId).map(candidate);
      case "customKey":
        return [];
    }
  });
}

/** The review state for an ambiguous match: nothing is written, the candidates are listed per field. */
export function ambiguityError(result: Extract<MatchResult, { kind: "ambiguous" }>): SyncError {
  return new SyncError({
    errorClass: "ambiguous_match",
    message: describeAmbiguity(result),
    fields: Object.fromEntries(result.candidates.map((c, i) => [`candidate.${i + 1}`, c.sourceId ? `${c.crmId} (commercetools ${c.sourceId})` : c.crmId])),
  });
}
