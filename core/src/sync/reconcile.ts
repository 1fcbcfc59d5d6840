import type { Customer } from "@commercetools/platform-sdk";
import { toSyncError } from "../domain/errors";
import type { Person } from "../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, SyncedPerson } from "../ports/crm-outbound";
import type { DriftItem, DriftKind, ReconciliationReport } from "../state/reconciliation-store";
import { maxReportItems } from "../state/reconciliation-store";
import type { SyncLink } from "../state/link-store";
import type { PagingReader } from "../ports/commerce";
import { predicate } from "../ports/predicate";
import { writeRecords } from "./record-writer";
import type { SyncService } from "./sync-service";

export type ReconcileDeps = { sync: SyncService; reader: PagingReader; reconcile: CrmReconciliation };

const same = (a: ComparableValue | undefined, b: ComparableValue | undefined) => (a ?? null) === (b ?? null);

function differing(expected: Record<string, ComparableValue>, actual: Record<string, ComparableValue>): string[] {
  return Object.keys(expected).filter((field) => !same(expected[field], actual[field])).sort();
}

/**
 * Reconciliation of people: the CRM's synced population (read page by page
 * through its own API) against commercetools (customers fetched by ID in one
 * query per 100), field by field on the adapter's normalised values.
 *
 * - missing in CRM: a customer with no CRM record → written again.
 * - orphaned in CRM: a CRM record whose customer is gone, or a second record
 *   for the same customer → deleted (commercetools owns the synced population).
 * - stale in CRM: the CRM still holds what we last wrote, commercetools moved
 *   on (a missed update) → written again.
 * - ownership violation: a commercetools-owned field was changed in the CRM
 *   (it no longer holds what we wrote) → our value written back.
 *
 * Memory: one page of each side plus the set of CRM source IDs seen (needed
 * to find the missing ones without a CRM read per customer).
 */
export async function reconcilePeople(deps: ReconcileDeps, options: { repair: boolean; pageSize?: number }, ctx: CallContext): Promise<ReconciliationReport> {
  const { clock, connection, crm, links } = deps.sync.deps;
  const startedAt = clock.now().toISOString();
  const counts: ReconciliationReport["counts"] = {
    commercetools: 0,
    crm: 0,
    inSync: 0,
    missing_in_crm: 0,
    stale_in_crm: 0,
    orphaned_in_crm: 0,
    ownership_violation: 0,
    repaired: 0,
    repairFailed: 0,
  };
  const items: DriftItem[] = [];
  const report = (item: DriftItem) => {
    counts[item.kind] += 1;
    if (item.repaired) counts.repaired += 1;
    if (item.error) counts.repairFailed += 1;
    if (items.length < maxReportItems) items.push(item);
  };
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
        if (options.repair) await attempt(item, () => deps.reconcile.deletePerson(record.crmId, ctx));
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
    counts,
    items,
    truncated: items.length < counts.missing_in_crm + counts.stale_in_crm + counts.orphaned_in_crm + counts.ownership_violation,
  };
}

/** True when the CRM's differing fields still hold what we last wrote (so commercetools moved, not the CRM). */
function wroteThis(reconcile: CrmReconciliation, link: SyncLink | undefined, actual: Record<string, ComparableValue>, fields: string[]): boolean {
  if (!link) return false;
  const written = reconcile.expectedPersonValues({ ...(link.written as Omit<Person, "sourceVersion">), sourceVersion: link.sourceVersion } as Person);
  return fields.every((field) => same(written[field], actual[field]));
}

async function attempt(item: DriftItem, repair: () => Promise<unknown>): Promise<void> {
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
  if (!repair || toWrite.length === 0) return;
  const outcomes = await writeRecords(deps.sync.deps, "person", toWrite.map((w) => w.person), ctx, { rewrite: true });
  const bySource = new Map(outcomes.map((o) => [o.sourceId, o]));
  for (const { person, item } of toWrite) {
    const outcome = bySource.get(person.sourceId);
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
