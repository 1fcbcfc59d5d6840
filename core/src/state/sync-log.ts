import { randomUUID } from "node:crypto";
import type { KeyValueStore } from "../ports/key-value-store";
import { predicate } from "../ports/predicate";
import { containers } from "./containers";

export type SyncOutcomeKind = "written" | "unchanged" | "stale" | "missing" | "failed" | "skipped";

export type LogEntry = {
  at: string;
  correlationId: string;
  connection: string;
  entity: string;
  sourceId: string;
  outcome: SyncOutcomeKind;
  crmId?: string;
  /** Error class and message for failures; never personal data. */
  detail?: string;
  /** Absent for commercetools → CRM; `crm-to-ct` for changes applied from the CRM (sourceId is then the commercetools record written, or the CRM ID when none was). */
  direction?: "crm-to-ct";
};

export type LogBatch = { at: string; source: "event" | "job" | "replay" | "webhook"; entries: LogEntry[] };

/** Log entries for the outcomes of one use case call (a message, a replay, a job retry). */
export function logEntries(
  outcomes: { entity: string; sourceId: string; outcome: SyncOutcomeKind; crmId?: string; error?: { errorClass: string; message: string }; direction?: "crm-to-ct" }[],
  meta: { at: string; correlationId: string; connection: string },
): LogEntry[] {
  return outcomes.map((o) => ({
    ...meta,
    entity: o.entity,
    sourceId: o.sourceId,
    outcome: o.outcome,
    ...(o.crmId ? { crmId: o.crmId } : {}),
    ...(o.error ? { detail: `${o.error.errorClass}: ${o.error.message}` } : {}),
    ...(o.direction ? { direction: o.direction } : {}),
  }));
}

/**
 * Per-record outcomes, one custom object per batch (a message, a job page, a
 * replay), keyed by time so listing by key lists by time and pruning is a range.
 * Outcomes that change nothing (unchanged, stale) are counted, not stored.
 */
export class SyncLog {
  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append(source: LogBatch["source"], entries: LogEntry[]): Promise<void> {
    const kept = entries.filter((e) => e.outcome === "written" || e.outcome === "failed");
    if (kept.length === 0) return;
    const at = this.now().toISOString();
    const key = `${at.replace(/[:]/g, "-")}_${randomUUID().slice(0, 8)}`;
    await this.store.put<LogBatch>(containers.log, key, { at, source, entries: kept });
  }

  async list(options: { afterKey?: string; limit?: number; since?: string } = {}) {
    return this.store.list<LogBatch>(containers.log, {
      afterKey: options.afterKey,
      limit: options.limit,
      where: options.since ? predicate`value(at >= ${options.since})` : undefined,
    });
  }

  /** Deletes batches older than `before`; returns how many. */
  async prune(before: Date): Promise<number> {
    let deleted = 0;
    const cutoff = before.toISOString();
    for (;;) {
      const page = await this.store.list<LogBatch>(containers.log, { where: predicate`value(at < ${cutoff})`, limit: 200 });
      for (const item of page.items) await this.store.delete(containers.log, item.key);
      deleted += page.items.length;
      if (!page.nextKey) return deleted;
    }
  }
}
