import { safeKeyPart } from "../domain/keys";
import type { KeyValueStore, Versioned } from "../ports/key-value-store";
import type { ReconciledKind } from "../ports/crm-outbound";
import { containers } from "./containers";

export type DriftKind = "missing_in_crm" | "stale_in_crm" | "orphaned_in_crm" | "ownership_violation";

export type DriftItem = {
  kind: DriftKind;
  entity: ReconciledKind;
  sourceId: string;
  crmId?: string;
  /** Fields that differ (names only: values may be personal data). */
  fields?: string[];
  repaired: boolean;
  error?: string;
};

export type ReconciliationCounts = { commercetools: number; crm: number; inSync: number } & Record<DriftKind, number> & { repaired: number; repairFailed: number };

/** Where a rolling pass stands: records compared of the population counted when it started. */
export type PassProgress = {
  periodHours: number;
  /** Scheduled runs that took a slice of this pass. */
  slices: number;
  /** Scheduled runs that left their slice to the event path (the CRM's queue or allowance was spoken for). */
  steppedBack: number;
  /** The CRM budget share cannot compare the whole population within the period. */
  periodAtRisk: boolean;
  compared: Record<ReconciledKind, { done: number; total: number }>;
  /** CRM people listed so far in the search for orphans, and whether that listing reached its end. */
  crmListed: number;
  crmListingDone: boolean;
};

export type ReconciliationReport = {
  connection: string;
  crm: string;
  startedAt: string;
  finishedAt: string;
  repair: boolean;
  /** Orphans were deleted (`RECONCILE_DELETE_ORPHANS`); otherwise only reported. */
  deleteOrphans?: boolean;
  counts: ReconciliationCounts;
  /** The same counts per kind of record. */
  byEntity?: Partial<Record<ReconciledKind, ReconciliationCounts>>;
  /** A rolling pass (scheduled runs, one slice each); absent for an on-demand reconciliation. */
  pass?: PassProgress;
  /** The first `maxItems` drifted records; counts are always complete. */
  items: DriftItem[];
  truncated: boolean;
};

/** Keeps drift items in the report bounded (custom objects hold at most 16 MB). */
export const maxReportItems = 1_000;

export const emptyCounts = (): ReconciliationCounts => ({
  commercetools: 0,
  crm: 0,
  inSync: 0,
  missing_in_crm: 0,
  stale_in_crm: 0,
  orphaned_in_crm: 0,
  ownership_violation: 0,
  repaired: 0,
  repairFailed: 0,
});

/** Where the rolling pass's walks stand, with the pass's report so far: the next scheduled run continues from here. */
export type RollingState = {
  /** Per kind: the last commercetools ID compared (IDs ascending), and whether the walk reached the end. */
  walk: Record<ReconciledKind, { afterId?: string; done: boolean }>;
  /** The CRM's listing cursor of the orphan search. */
  crmCursor?: string;
  lastSliceAt?: string;
  report: ReconciliationReport & { pass: PassProgress };
};

/**
 * The reconciliation reports per connection, in the checkpoints container:
 * the latest finished one (on demand, or a rolling pass that completed) and
 * the rolling pass in progress with its position.
 */
export class ReconciliationStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly connection: string,
  ) {}

  private key(which: "latest" | "rolling") {
    return `${safeKeyPart(this.connection)}_reconciliation_${which}`;
  }

  async latest(): Promise<ReconciliationReport | undefined> {
    return (await this.store.get<ReconciliationReport>(containers.checkpoints, this.key("latest")))?.value;
  }

  async save(report: ReconciliationReport): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.store.get<ReconciliationReport>(containers.checkpoints, this.key("latest"));
      try {
        await this.store.put(containers.checkpoints, this.key("latest"), report, current?.version);
        return;
      } catch (error) {
        if (attempt === 2) throw error;
      }
    }
  }

  rolling(): Promise<Versioned<RollingState> | undefined> {
    return this.store.get<RollingState>(containers.checkpoints, this.key("rolling"));
  }

  /** Versioned: only the job under its lease writes it, and a second writer is refused rather than overwriting. */
  saveRolling(state: RollingState, expectedVersion: number | undefined): Promise<Versioned<RollingState>> {
    return this.store.put(containers.checkpoints, this.key("rolling"), state, expectedVersion);
  }
}
