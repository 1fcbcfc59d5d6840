import type { Runtime } from "@ct-crm-sync/core/runtime";
import type { CallContext } from "@ct-crm-sync/core/ports/crm-outbound";
import { predicate } from "@ct-crm-sync/core/ports/predicate";
import { logEntries } from "@ct-crm-sync/core/state/sync-log";
import { defaultCartSettings } from "@ct-crm-sync/core/sync/cart-settings";

/** The checkpoint of the idle-cart walk: the last cart (by lastModifiedAt, id) already looked at. */
export const abandonedCartsCheckpoint = "abandoned-carts";

const pageSize = 200;

export type AbandonCounts = { read: number; written: number; unchanged: number; skipped: number; failed: number };

/**
 * Flags the deals of carts left idle: active carts of a known customer or
 * business unit, unchanged for the configured idle time, synced again through
 * the one write path, where the idle clock makes them abandoned (a deal
 * already flagged is unchanged and costs no call; a closed one stays closed).
 *
 * Keyset pages on (lastModifiedAt, id) up to the idle cutoff, from where the
 * last run stopped: each cart is looked at once per idle spell (a change
 * moves it past the checkpoint, to be looked at again once idle), one page in
 * memory at a time, the checkpoint saved after each page.
 */
export async function abandonIdleCarts(runtime: Runtime, ctx: CallContext): Promise<AbandonCounts> {
  const counts: AbandonCounts = { read: 0, written: 0, unchanged: 0, skipped: 0, failed: 0 };
  const settings = runtime.sync.deps.carts ?? defaultCartSettings;
  const until = new Date(runtime.clock.now().getTime() - settings.abandonedAfterMs).toISOString();
  const stored = await runtime.jobState.checkpoint(abandonedCartsCheckpoint);
  let version = stored?.version;
  let after = stored && stored.value.lastId ? { lastModifiedAt: stored.value.lastModifiedAt, id: stored.value.lastId } : undefined;
  const where = predicate`cartState = ${"Active"} and (customerId is defined or businessUnit is defined)`;
  for (;;) {
    ctx.signal?.throwIfAborted();
    const carts = await runtime.commerce.page("cart", { after, until, where, limit: pageSize });
    if (carts.length === 0) return counts;
    counts.read += carts.length;
    const outcomes = (await runtime.sync.syncCarts(carts, ctx)).filter((o) => o.entity === "deal");
    for (const o of outcomes) {
      if (o.outcome === "written") counts.written++;
      else if (o.outcome === "failed") counts.failed++;
      else if (o.outcome === "skipped") counts.skipped++;
      else counts.unchanged++;
    }
    await runtime.log.append("job", logEntries(outcomes, { at: runtime.clock.now().toISOString(), correlationId: ctx.correlationId, connection: runtime.connection }));
    const last = carts[carts.length - 1]!;
    after = { lastModifiedAt: last.lastModifiedAt, id: last.id };
    version = (
      await runtime.jobState.saveCheckpoint({ entity: abandonedCartsCheckpoint, lastModifiedAt: last.lastModifiedAt, lastId: last.id, updatedAt: runtime.clock.now().toISOString() }, version)
    ).version;
    if (carts.length < pageSize) return counts;
  }
}
