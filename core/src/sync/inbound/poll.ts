import { safeKeyPart } from "../../domain/keys";
import { crmEntities, type CrmEntity, type CrmInbound } from "../../ports/crm-inbound";
import type { CallContext } from "../../ports/crm-outbound";
import type { KeyValueStore } from "../../ports/key-value-store";
import { containers } from "../../state/containers";
import { logEntries, type SyncLog } from "../../state/sync-log";
import type { InboundSync } from "./apply";

/** Where polling of one CRM entity stands: the connector's opaque checkpoint. */
type PollCheckpoint = { entity: CrmEntity; checkpoint: string; updatedAt: string };

export type PollDeps = { connection: string; inbound: CrmInbound; sync: InboundSync; store: KeyValueStore; log: SyncLog; now: () => Date };

export type PollResult = { changes: number; written: number; failed: number; pages: number };

/** Pages listed per entity and run: a backlog larger than this continues on the next run. */
const maxPagesPerRun = 20;

const checkpointKey = (connection: string, entity: CrmEntity) => `${safeKeyPart(connection)}_crm-changes_${entity}`;

/**
 * Polling, the safety net for missed or paused webhooks: each entity's
 * changes since its checkpoint, page by page, through the same apply step as
 * webhooks (idempotent with them: a change applied already is stale or
 * unchanged), the checkpoint saved after each page. The first run only marks
 * where polling starts (now): what changed before was synced the other way.
 */
export async function pollChanges(deps: PollDeps, ctx: CallContext, entities: readonly CrmEntity[] = crmEntities): Promise<PollResult> {
  const result: PollResult = { changes: 0, written: 0, failed: 0, pages: 0 };
  const { inbound } = deps;
  if (!inbound.changesSince || !inbound.checkpointAt) return result;
  for (const entity of entities) {
    const key = checkpointKey(deps.connection, entity);
    let stored = await deps.store.get<PollCheckpoint>(containers.checkpoints, key);
    if (!stored) {
      const start = { entity, checkpoint: inbound.checkpointAt(deps.now().toISOString()), updatedAt: deps.now().toISOString() };
      await deps.store.put(containers.checkpoints, key, start, 0);
      continue;
    }
    for (let page = 0; page < maxPagesPerRun; page++) {
      ctx.signal?.throwIfAborted();
      const listed = await inbound.changesSince(entity, stored.value.checkpoint, ctx);
      if (listed.changes.length === 0 || listed.checkpoint === undefined) break;
      const outcomes = await deps.sync.applyAll(listed.changes, ctx);
      await deps.log.append("job", logEntries(outcomes, { at: deps.now().toISOString(), correlationId: ctx.correlationId, connection: deps.connection }));
      result.pages++;
      result.changes += listed.changes.length;
      result.written += outcomes.filter((o) => o.outcome === "written").length;
      result.failed += outcomes.filter((o) => o.outcome === "failed").length;
      stored = await deps.store.put(containers.checkpoints, key, { entity, checkpoint: listed.checkpoint, updatedAt: deps.now().toISOString() }, stored.version);
    }
  }
  return result;
}
