import { stableHash } from "../../domain/hash";
import { type ChangeDecision, compareInstants, recordCrmState } from "../../domain/inbound";
import type { ConsentState } from "../../domain/model";
import type { SyncLink } from "../../state/link-store";
import type { ApplyContext } from "./context";

/**
 * Records on the link what the CRM holds after one of its changes was handled
 * (domain/inbound.ts `recordCrmState`). When the link was settled (its hash is
 * the hash of what it says was written), the hash follows the new `written`,
 * so the outbound side finds our own commercetools write unchanged; an
 * unsettled link stays unsettled. A newer CRM change already recorded (by
 * another instance) is never rolled back.
 */
export async function recordCrmChange(
  ac: ApplyContext,
  entity: "person" | "company",
  sourceId: string,
  crmId: string,
  handled: { decision: ChangeDecision; modifiedAt: string; consent?: ConsentState },
): Promise<void> {
  const { deps, ctx } = ac;
  const at = deps.clock.now().toISOString();
  await deps.links.update(entity, sourceId, (current) => {
    if (current?.fromCrm && compareInstants(current.fromCrm.modifiedAt, handled.modifiedAt) > 0) return undefined;
    const base: SyncLink = current ?? { connection: deps.connection, entity, sourceId, crmId, sourceVersion: 0, hash: "", written: {}, syncedAt: at, correlationId: ctx.correlationId };
    const settled = base.hash === stableHash(base.written);
    const { written, fromCrm } = recordCrmState(base.written, base.fromCrm, {
      apply: handled.decision.apply,
      modifiedAt: handled.modifiedAt,
      at,
      correlationId: ctx.correlationId,
      ...(handled.consent ? { consent: handled.consent } : {}),
    });
    const hash = settled && written !== base.written ? stableHash(written) : base.hash;
    return { ...base, written, hash, fromCrm };
  });
}
