import type { Customer } from "@commercetools/platform-sdk";
import { toSyncError } from "../domain/errors";
import type { CanonicalRecord, Person } from "../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, ReconciledKind, SyncedPerson } from "../ports/crm-outbound";
import { type DriftItem, type DriftKind, emptyCounts, maxReportItems, type ReconciliationCounts, type ReconciliationReport } from "../state/reconciliation-store";
import type { SyncLink } from "../state/link-store";
import type { PagingReader } from "../ports/commerce";
import { predicate } from "../ports/predicate";
import { writeRecords } from "./record-writer";
import type { SyncService } from "./sync-service";

export type ReconcileDeps = { sync: SyncService; reader: PagingReader; reconcile: CrmReconciliation };

const same = (a: ComparableValue | undefined, b: ComparableValue | undefined) => (a ?? null) === (b ?? null);

export function differing(expected: Record<string, ComparableValue>, actual: Record<string, ComparableValue>): string[] {
  return Object.keys(expected).filter((field) => !same(expected[field], actual[field])).sort();
}

/**
 * Reconciliation of people: the CRM's synced population (read page by page
 * through its own API) against commercetools (customers fetched by ID in one
 * query per 100), field by field on the adapter's normalised values.
 *
 * - missing in CRM: a customer with no CRM record → written again.
 * - orphaned in CRM: a CRM record whose customer is gone, or a second record
 *   for the same customer → reported; deleted only with `deleteOrphans`
 *   (`RECONCILE_DELETE_ORPHANS`): a record someone in Sales made or kept on
 *   purpose is theirs until the merchant says the integration may remove it.
 * - stale in CRM: the CRM still holds what we last wrote, commercetools moved
 *   on (a missed update) → written again.
 * - ownership violation: a commercetools-owned field was changed in the CRM
 *   (it no longer holds what we wrote) → our value written back.
 *
 * Memory: one page of each side plus the set of CRM source IDs seen (needed
 * to find the missing ones without a CRM read per customer).
 */
export async function reconcilePeople(
  deps: ReconcileDeps,
  options: { repair: boolean; deleteOrphans: boolean; pageSize?: number },
  ctx: CallContext,
): Promise<ReconciliationReport> {
  const { clock, connection, crm, links } = deps.sync.deps;
  const startedAt = clock.now().toISOString();
  const tally = new DriftTally();
  const { counts, items } = tally;
  const report = (item: DriftItem) => tally.add(item);
  const seen = new Set<string>();

  // 1. The CRM side, page by page.
  let cursor: string | undefined;
  do {
    const page: { people: SyncedPerson[]; cursor?: string } = await deps.reconcile.listPeople(cursor, ctx);
    cursor = page.cursor;
    counts.crm += page.people.length;
    const ids = [...new Set(page.people.map((p) => p.sourceId))];
    const customers = await customersById(deps.reader, ids);
    const people = new Map((await deps.sync.peopleFor([...customers.values()])).map((p) => [p.sourceId, p]));
    const linkMap = await links.getMany("person", ids);
    const toWrite: { person: Person; item: DriftItem }[] = [];
    for (const record of page.people) {
      const person = people.get(record.sourceId);
      if (!person || seen.has(record.sourceId)) {
        const item: DriftItem = { kind: "orphaned_in_crm", entity: "person", sourceId: record.sourceId, crmId: record.crmId, repaired: false };
        if (options.repair && options.deleteOrphans) await attempt(item, () => deps.reconcile.deletePerson(record.crmId, ctx));
        report(item);
        continue;
      }
      seen.add(record.sourceId);
      const fields = differing(deps.reconcile.expectedPersonValues(person), record.values);
      if (fields.length === 0) {
        counts.inSync += 1;
        continue;
      }
      const link = linkMap.get(record.sourceId)?.value;
      const kind: DriftKind = wroteThis(deps.reconcile, link, record.values, fields) ? "stale_in_crm" : "ownership_violation";
      toWrite.push({ person, item: { kind, entity: "person", sourceId: record.sourceId, crmId: record.crmId, fields, repaired: false } });
    }
    await repairWrites(deps, toWrite, options.repair, ctx);
    toWrite.forEach(({ item }) => report(item));
  } while (cursor);

  // 2. The commercetools side: customers the CRM does not hold.
  let position: { lastModifiedAt: string; id: string } | undefined;
  const pageSize = options.pageSize ?? 500;
  for (;;) {
    const page = (await deps.reader.page("customer", { after: position, limit: pageSize })) as Customer[];
    if (page.length === 0) break;
    counts.commercetools += page.length;
    const last = page[page.length - 1]!;
    position = { lastModifiedAt: last.lastModifiedAt, id: last.id };
    const absent = page.filter((c) => !seen.has(c.id));
    if (absent.length) {
      const people = await deps.sync.peopleFor(absent);
      const toWrite = people.map((person) => ({ person, item: { kind: "missing_in_crm" as const, entity: "person" as const, sourceId: person.sourceId, repaired: false } as DriftItem }));
      await repairWrites(deps, toWrite, options.repair, ctx);
      toWrite.forEach(({ item }) => report(item));
    }
    if (page.length < pageSize) break;
  }

  return {
    connection,
    crm: crm.name,
    startedAt,
    finishedAt: clock.now().toISOString(),
    repair: options.repair,
    deleteOrphans: options.deleteOrphans,
    counts,
    items,
    truncated: tally.truncated(),
  };
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
  if (!reconcile.expectedValues) throw new Error("the adapter reads companies and orders back without saying which values it compares (expectedValues)");
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

/**
 * Writes the current commercetools values over the CRM's through the one write
 * path (mapping configuration, consent, segmentation, ownership, retry policy,
 * links and failure store), bypassing only the "unchanged" check: the link's
 * hash is right, the CRM is not.
 */
async function repairWrites(deps: ReconcileDeps, toWrite: { person: Person; item: DriftItem }[], repair: boolean, ctx: CallContext): Promise<void> {
  if (!repair) return;
  await rewrite(deps.sync, "person", toWrite.map(({ person, item }) => ({ record: person, item })), ctx);
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

async function customersById(reader: PagingReader, ids: string[]): Promise<Map<string, Customer>> {
  const out = new Map<string, Customer>();
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const page = (await reader.page("customer", { where: predicate`id in ${chunk}`, limit: 500 })) as Customer[];
    for (const c of page) out.set(c.id, c);
  }
  return out;
}
