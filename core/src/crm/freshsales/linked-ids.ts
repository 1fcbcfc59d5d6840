import type { SyncErrorDetails } from "../../domain/errors";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { inPool } from "../../pool";
import { lookup } from "./lookup";
import type { Item, ModuleSpec, WriteCall } from "./modules";

/** Lookups of one call in flight at once: each is a call from the hourly budget, so few. */
const lookupsInFlight = 2;

/**
 * Freshsales IDs of the records our unique field keys, by commercetools ID:
 * the ones learnt, else one lookup each. Absent: Freshsales holds none (or
 * its search does not show it yet).
 */
export async function idsOf(call: WriteCall, spec: ModuleSpec, sourceIds: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const missing: string[] = [];
  for (const sourceId of new Set(sourceIds)) {
    const known = call.known.get(spec.module, sourceId);
    if (known) ids.set(sourceId, known);
    else missing.push(sourceId);
  }
  await inPool(missing, lookupsInFlight, async (sourceId) => {
    const [record] = await lookup(call, spec.module, spec.idField, sourceId);
    if (!record) return;
    ids.set(sourceId, record.id);
    call.known.set(spec.module, sourceId, record.id);
  });
  return ids;
}

/** A record's item, or why it cannot be written; `links`: the linked records it names (module and commercetools ID). */
export type Resolved = { item: Item; links: [ModuleSpec, string][] } | { refused: SyncErrorDetails };

/**
 * Writes the records that resolved to an item and answers every record in
 * input order. A record Freshsales refuses while it names linked records
 * by learnt IDs forgets those IDs: one may be gone (deleted in Freshsales),
 * and the next write looks it up afresh.
 */
export async function writeResolved(call: WriteCall, resolved: Resolved[], sourceIdOf: (index: number) => string, write: (items: Item[]) => Promise<WriteOutcome[]>): Promise<WriteOutcome[]> {
  const outcomes: (WriteOutcome | undefined)[] = resolved.map((r, i) => ("refused" in r ? { sourceId: sourceIdOf(i), ok: false, error: r.refused } : undefined));
  const pending = [...resolved.keys()].filter((i) => outcomes[i] === undefined);
  const written = await write(pending.map((i) => (resolved[i] as { item: Item }).item));
  pending.forEach((i, k) => {
    const outcome = written[k]!;
    outcomes[i] = outcome;
    if (!outcome.ok && outcome.error.errorClass === "validation") for (const [spec, sourceId] of (resolved[i] as { links: [ModuleSpec, string][] }).links) call.known.forget(spec.module, sourceId);
  });
  return outcomes as WriteOutcome[];
}

/** The refusal of a record whose linked record Freshsales does not hold. */
export const missingLink = (what: string): SyncErrorDetails => ({ errorClass: "not_found", message: `Freshsales holds no ${what} yet (it is written first; retry once it is there)` });
