import { safeKeyPart } from "../domain/keys";
import type { KeyValueStore } from "../ports/key-value-store";
import { containers } from "./containers";

export type DriftKind = "missing_in_crm" | "stale_in_crm" | "orphaned_in_crm" | "ownership_violation";

export type DriftItem = {
  kind: DriftKind;
  entity: "person";
  sourceId: string;
  crmId?: string;
  /** Fields that differ (names only: values may be personal data). */
  fields?: string[];
  repaired: boolean;
  error?: string;
};

export type ReconciliationReport = {
  connection: string;
  crm: string;
  startedAt: string;
  finishedAt: string;
  repair: boolean;
  counts: { commercetools: number; crm: number; inSync: number } & Record<DriftKind, number> & { repaired: number; repairFailed: number };
  /** The first `maxItems` drifted records; counts are always complete. */
  items: DriftItem[];
  truncated: boolean;
};

/** Keeps drift items in the report bounded (custom objects hold at most 16 MB). */
export const maxReportItems = 1_000;

/** The latest reconciliation report per connection, in the checkpoints container. */
export class ReconciliationStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly connection: string,
  ) {}

  private key() {
    return `${safeKeyPart(this.connection)}_reconciliation_latest`;
  }

  async latest(): Promise<ReconciliationReport | undefined> {
    return (await this.store.get<ReconciliationReport>(containers.checkpoints, this.key()))?.value;
  }

  async save(report: ReconciliationReport): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.store.get<ReconciliationReport>(containers.checkpoints, this.key());
      try {
        await this.store.put(containers.checkpoints, this.key(), report, current?.version);
        return;
      } catch (error) {
        if (attempt === 2) throw error;
      }
    }
  }
}
