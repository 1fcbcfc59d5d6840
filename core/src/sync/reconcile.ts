/**
 * What reconciliation (rolling-reconcile.ts) compares and how it repairs,
 * record by record, on the adapter's normalised values:
 *
 * - missing in CRM: a record with no CRM record → written again.
 * - orphaned in CRM: a CRM record whose commercetools record is gone, or a
 *   second record for the same one → reported; deleted only with
 *   RECONCILE_DELETE_ORPHANS: a record someone in Sales made or kept on
 *   purpose is theirs until the merchant says the integration may remove it.
 * - stale in CRM: the CRM still holds what we last wrote, commercetools moved
 *   on (a missed update) → written again.
 * - ownership violation: a commercetools-owned field was changed in the CRM
 *   (it no longer holds what we wrote) → our value written back.
 */
import { toSyncError } from "../domain/errors";
import type { CanonicalRecord } from "../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, ReconciledKind } from "../ports/crm-outbound";
import { type DriftItem, emptyCounts, maxReportItems, type ReconciliationCounts } from "../state/reconciliation-store";
import type { SyncLink } from "../state/link-store";
import { writeRecords } from "./record-writer";
import type { SyncService } from "./sync-service";

const same = (a: ComparableValue | undefined, b: ComparableValue | undefined) => (a ?? null) === (b ?? null);

export function differing(expected: Record<string, ComparableValue>, actual: Record<string, ComparableValue>): string[] {
  return Object.keys(expected).filter((field) => !same(expected[field], actual[field])).sort();
}

/** Counts and the bounded list of drift items of one report, in total and per kind of record. */
export class DriftTally {
  constructor(
    readonly counts: ReconciliationCounts = emptyCounts(),
    readonly items: DriftItem[] = [],
    readonly byEntity: Partial<Record<ReconciledKind, ReconciliationCounts>> = {},
  ) {}

  of(entity: ReconciledKind): ReconciliationCounts {
    return (this.byEntity[entity] ??= emptyCounts());
  }

  /** Adds to a count of the totals and of the entity's (compared, read back, in sync). */
  count(entity: ReconciledKind, field: "commercetools" | "crm" | "inSync", n = 1): void {
    this.counts[field] += n;
    this.of(entity)[field] += n;
  }

  add(item: DriftItem): void {
    for (const counts of [this.counts, this.of(item.entity)]) {
      counts[item.kind] += 1;
      if (item.repaired) counts.repaired += 1;
      if (item.error) counts.repairFailed += 1;
    }
    if (this.items.length < maxReportItems) this.items.push(item);
  }

  truncated(): boolean {
    const c = this.counts;
    return this.items.length < c.missing_in_crm + c.stale_in_crm + c.orphaned_in_crm + c.ownership_violation;
  }
}

/** The values the adapter compares for a record of this kind, in `readSynced`'s normalised form. */
export function expectedOf(reconcile: CrmReconciliation, record: CanonicalRecord): Record<string, ComparableValue> {
  if (record.kind === "person") return reconcile.expectedPersonValues(record);
  return reconcile.expectedValues(record);
}

/** True when the CRM's differing fields still hold what we last wrote (so commercetools moved, not the CRM). */
export function wroteThis(reconcile: CrmReconciliation, link: SyncLink | undefined, actual: Record<string, ComparableValue>, fields: string[]): boolean {
  if (!link) return false;
  const written = expectedOf(reconcile, { ...(link.written as Omit<CanonicalRecord, "sourceVersion">), sourceVersion: link.sourceVersion } as CanonicalRecord);
  return fields.every((field) => same(written[field], actual[field]));
}

export async function attempt(item: DriftItem, repair: () => Promise<unknown>): Promise<void> {
  try {
    await repair();
    item.repaired = true;
  } catch (error) {
    item.error = toSyncError(error).details.message;
  }
}

/** Rewrites records of one kind through `writeRecords` and marks each item repaired or failed by its own outcome. */
export async function rewrite(sync: SyncService, entity: ReconciledKind, toWrite: { record: CanonicalRecord; item: DriftItem }[], ctx: CallContext): Promise<void> {
  if (toWrite.length === 0) return;
  const outcomes = await writeRecords(sync.deps, entity, toWrite.map((w) => w.record), ctx, { rewrite: true });
  const bySource = new Map(outcomes.map((o) => [o.sourceId, o]));
  for (const { record, item } of toWrite) {
    const outcome = bySource.get(record.sourceId);
    if (outcome?.outcome === "written") {
      item.repaired = true;
      item.crmId = outcome.crmId;
    } else {
      item.error = outcome?.error?.message ?? `not written (${outcome?.outcome ?? "no outcome"})`;
    }
  }
}
