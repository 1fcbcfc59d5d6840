import type { Failure } from "../domain/failure";
import { crmEntities, type CrmEntity } from "../ports/crm-inbound";
import type { CallContext } from "../ports/crm-outbound";
import type { FailureStore } from "../state/failure-store";
import type { InboundSync } from "./inbound/apply";
import type { InboundOutcome } from "./inbound/context";
import type { RecordOutcome } from "./record-writer";
import type { SyncService } from "./sync-service";

export type ReplayOutcome = "resolved" | "failed" | "not_replayable";

/** The use cases a replay runs again: the outbound sync and the inbound apply step. */
export type ReplayDeps = { sync: SyncService; inbound: InboundSync; failures: FailureStore };

/**
 * Replays one failed record by syncing its current state again (never by
 * resending the stored payload, which may be stale): a commercetools → CRM
 * failure re-reads the commercetools resource and writes it to the CRM; a
 * CRM → commercetools failure re-reads the CRM record and applies it.
 * Idempotent: replaying a resolved record writes nothing new. `outcomes` are
 * the per-record outcomes of the re-sync, for the sync log.
 */
export async function replayFailure(
  deps: ReplayDeps,
  failure: Failure,
  ctx: CallContext,
): Promise<{ outcome: ReplayOutcome; failure: Failure; detail?: string; outcomes?: (RecordOutcome | InboundOutcome)[] }> {
  if (failure.state === "resolved") return { outcome: "resolved", failure };
  const replay = replayers[failure.direction];
  const pending = replay.again(failure, deps, ctx);
  if (!pending) return { outcome: "not_replayable", failure, detail: replay.whyNot(failure) };
  const outcomes = await pending;
  const own = outcomes.find((o) => replay.isOwn(o, failure));
  if (own && own.outcome !== "failed") {
    await deps.failures.resolve(failure.connection, failure.direction, failure.entity, failure.sourceId);
  }
  const current = (await deps.failures.get(failure.id)) ?? failure;
  return { outcome: current.state === "resolved" ? "resolved" : "failed", failure: current, outcomes };
}

type Replayer = {
  /** The re-sync's outcomes, or undefined when this failure cannot be replayed. */
  again(failure: Failure, deps: ReplayDeps, ctx: CallContext): Promise<(RecordOutcome | InboundOutcome)[]> | undefined;
  /** Whether an outcome is the failed record's own. */
  isOwn(outcome: RecordOutcome | InboundOutcome, failure: Failure): boolean;
  whyNot(failure: Failure): string;
};

const isCrmEntity = (entity: string): entity is CrmEntity => (crmEntities as readonly string[]).includes(entity);

/** One replayer per direction, so neither is replayed the other way. */
const replayers: Record<Failure["direction"], Replayer> = {
  "ct-to-crm": {
    again: syncAgain,
    isOwn: (o, failure) => o.sourceId === failure.sourceId && o.entity === failure.entity,
    whyNot: (failure) =>
      failure.entity === "message" ? "an unreadable message cannot be replayed; dismiss it once reviewed" : "a guest person is replayed through its order",
  },
  "crm-to-ct": {
    // The entry names the CRM record; applying it re-reads it from the CRM.
    again: (failure, deps, ctx) =>
      isCrmEntity(failure.entity) ? deps.inbound.apply({ entity: failure.entity, crmId: failure.sourceId, action: "updated", deliveryId: `replay-${failure.id}` }, ctx).then((o) => [o]) : undefined,
    isOwn: (o, failure) => "crmId" in o && o.crmId === failure.sourceId && o.entity === failure.entity,
    whyNot: () => "a CRM delivery that could not be understood cannot be replayed; dismiss it once reviewed",
  },
};

function syncAgain(failure: Failure, { sync }: ReplayDeps, ctx: CallContext): Promise<RecordOutcome[]> | undefined {
  switch (failure.entity) {
    case "person":
      return failure.sourceId.startsWith("guest-") ? undefined : sync.syncCustomer(failure.sourceId, ctx);
    case "company":
      return sync.syncBusinessUnit(failure.sourceId, ctx);
    case "order":
      return sync.syncOrder(failure.sourceId, ctx);
    case "deal":
      return sync.syncByIds("cart", [failure.sourceId], ctx);
    case "order-event": {
      // An entry is derived from its order: the order is synced again (the entry's key names no resource).
      const orderId = (failure.payload as { orderSourceId?: unknown } | undefined)?.orderSourceId;
      return typeof orderId === "string" ? sync.syncOrder(orderId, ctx) : undefined;
    }
    default:
      return undefined;
  }
}
