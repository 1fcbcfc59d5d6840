import type { Failure } from "../domain/failure";
import type { CallContext } from "../ports/crm-outbound";
import type { FailureStore } from "../state/failure-store";
import type { RecordOutcome } from "./record-writer";
import type { SyncService } from "./sync-service";

export type ReplayOutcome = "resolved" | "failed" | "not_replayable";

/**
 * Replays one failed record by syncing its current state again (never by
 * resending the stored payload, which may be stale). Idempotent: replaying a
 * resolved record writes nothing new. `outcomes` are the per-record outcomes of
 * the re-sync, for the sync log.
 */
export async function replayFailure(
  sync: SyncService,
  failures: FailureStore,
  failure: Failure,
  ctx: CallContext,
): Promise<{ outcome: ReplayOutcome; failure: Failure; detail?: string; outcomes?: RecordOutcome[] }> {
  if (failure.state === "resolved") return { outcome: "resolved", failure };
  const replay = replayers[failure.direction];
  const pending = replay.again(failure, sync, ctx);
  if (!pending) return { outcome: "not_replayable", failure, detail: replay.whyNot(failure) };
  const outcomes = await pending;
  const own = outcomes.find((o) => o.sourceId === failure.sourceId && o.entity === failure.entity);
  if (own && own.outcome !== "failed") {
    await failures.resolve(failure.connection, failure.direction, failure.entity, failure.sourceId);
  }
  const current = (await failures.get(failure.id)) ?? failure;
  return { outcome: current.state === "resolved" ? "resolved" : "failed", failure: current, outcomes };
}

type Replayer = {
  /** The re-sync's outcomes, or undefined when this failure cannot be replayed. */
  again(failure: Failure, sync: SyncService, ctx: CallContext): Promise<RecordOutcome[]> | undefined;
  whyNot(failure: Failure): string;
};

/**
 * One replayer per direction: a commercetools → CRM failure re-reads the
 * commercetools resource and writes it again; the CRM → commercetools
 * direction has no apply step in this version, so its entries (none are
 * written yet) are not replayable rather than replayed the wrong way.
 */
const replayers: Record<Failure["direction"], Replayer> = {
  "ct-to-crm": {
    again: syncAgain,
    whyNot: (failure) =>
      failure.entity === "message" ? "an unreadable message cannot be replayed; dismiss it once reviewed" : "a guest person is replayed through its order",
  },
  "crm-to-ct": {
    again: () => undefined,
    whyNot: () => "changes from the CRM are not applied to commercetools in this version",
  },
};

function syncAgain(failure: Failure, sync: SyncService, ctx: CallContext): Promise<RecordOutcome[]> | undefined {
  switch (failure.entity) {
    case "person":
      return failure.sourceId.startsWith("guest-") ? undefined : sync.syncCustomer(failure.sourceId, ctx);
    case "company":
      return sync.syncBusinessUnit(failure.sourceId, ctx);
    case "order":
      return sync.syncOrder(failure.sourceId, ctx);
    default:
      return undefined;
  }
}
