import type { BusinessUnit, Customer, Order } from "@commercetools/platform-sdk";
import { z } from "zod";
import { orderActivityFromOrder } from "../domain/commerce-mapping";
import { isTransient, toSyncError } from "../domain/errors";
import type { CanonicalRecord, OrderActivity } from "../domain/model";
import type { PagingReader } from "../ports/commerce";
import type { CallContext, CrmReconciliation, ReconciledKind, SyncedRecord } from "../ports/crm-outbound";
import type { Logger } from "../ports/logger";
import type { SyncLink } from "../state/link-store";
import { type DriftItem, emptyCounts, type ReconciliationReport, type ReconciliationStore, type RollingState } from "../state/reconciliation-store";
import { attempt, differing, DriftTally, expectedOf, rewrite, wroteThis } from "./reconcile";
import { prepareRecord } from "./sync-model";
import type { SyncService } from "./sync-service";

/** The job's reconciliation settings (zod-parsed from the job app's environment). */
export const reconcileEnv = z.object({
  /** Every synced record is compared at least once per this many hours. */
  RECONCILE_PERIOD_HOURS: z.coerce.number().positive().max(24 * 31).default(24),
  /** Share (0..1] of the CRM's declared request rate a scheduled slice may spend over the time between two runs. */
  RECONCILE_CRM_SHARE: z.coerce.number().gt(0).max(1).default(0.1),
  /** Orphans (CRM records whose commercetools record is gone, duplicates) are deleted instead of only reported. */
  RECONCILE_DELETE_ORPHANS: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
});
export type ReconcileSettings = z.infer<typeof reconcileEnv>;

export type RollingDeps = {
  sync: SyncService;
  reader: PagingReader;
  reconcile: CrmReconciliation;
  store: ReconciliationStore;
  logger: Logger;
};

const kinds = ["person", "company", "order"] as const satisfies ReconciledKind[];
const typeOf = { person: "customer", company: "business-unit", order: "order" } as const;
/** `readSynced` takes at most 100 IDs: one commercetools page is one CRM read. */
const pageSize = 100;
/**
 * The time a slice covers when there is no previous slice to measure from:
 * Connect's cron in connect.yaml runs the job every 10 minutes.
 */
const defaultIntervalMs = 10 * 60_000;
/**
 * Share of the CRM's own API allowance (its current window) from which a slice
 * steps back: repairs are never urgent, and the event path, which steps back
 * only later (EVENT_CRM_BUDGET_SHARE, 0.8 by default), keeps the rest.
 */
const allowanceStepBack = 0.5;

/**
 * `whole`: an operator's reconciliation: a new pass, run to its end now
 * whatever the period and the share (the operator chose to spend the calls).
 * `repair: false`: compare and report only, nothing written or deleted.
 */
export type SliceMode = { whole: boolean; repair: boolean };
const scheduled: SliceMode = { whole: false, repair: true };

export type SliceResult = { compared: number; drifted: number; repaired: number; passCompleted: boolean; steppedBack: boolean; periodAtRisk: boolean };

/**
 * One scheduled run's share of a rolling reconciliation pass.
 *
 * A pass walks commercetools by ID (people, then companies, then orders;
 * `id > last`, IDs ascending: a record changed meanwhile keeps its place, so
 * each is compared once per pass, unlike the delta sync's modification-time
 * order), one page of 100 at a time, and asks the CRM for the records carrying
 * those IDs in one `readSynced` call. Then the CRM's people are listed (the
 * adapter's cursor kept between runs) to find orphans, with one commercetools
 * `id in` query per page. The position and the pass's report so far live in a
 * custom object, so the next run continues there and memory stays one page.
 *
 * The slice is sized so the pass ends within the period: the records due by
 * the end of the interval to the next run (measured as the time since the
 * previous slice), capped by a share of the CRM's declared request rate over
 * that interval, so the event path keeps the rest. When the CRM's queue is
 * full or its allowance is mostly spent the slice steps back entirely.
 *
 * Drift is repaired through `writeRecords` (mapping configuration, ownership,
 * links); orphans are reported, deleted only with RECONCILE_DELETE_ORPHANS.
 */
export async function reconcileSlice(deps: RollingDeps, settings: ReconcileSettings, ctx: CallContext, mode: SliceMode = scheduled): Promise<SliceResult> {
  const { clock, connection, crm } = deps.sync.deps;
  const now = clock.now();
  const stored = await deps.store.rolling();
  const fresh = mode.whole || !stored || passComplete(stored.value);
  // A new pass keeps the previous slice's time: the time since it is what this slice covers.
  const state = fresh ? await newPass(deps, settings, now, stored?.value.lastSliceAt, mode.repair) : stored.value;
  const repair = state.report.repair;
  let version = stored?.version;
  const save = async () => {
    version = (await deps.store.saveRolling(state, version)).version;
  };
  const pass = state.report.pass;
  const result: SliceResult = { compared: 0, drifted: 0, repaired: 0, passCompleted: false, steppedBack: false, periodAtRisk: false };

  const intervalMs = Math.max(1_000, state.lastSliceAt ? now.getTime() - Date.parse(state.lastSliceAt) : defaultIntervalMs);
  const size = sliceSize({
    // Work of a pass in records: every commercetools record, and the CRM's people listed once more for orphans.
    work: kinds.reduce((sum, kind) => sum + pass.compared[kind].total, 0) + pass.compared.person.total,
    done: kinds.reduce((sum, kind) => sum + pass.compared[kind].done, 0) + pass.crmListed,
    elapsedMs: now.getTime() - Date.parse(state.report.startedAt),
    intervalMs,
    periodMs: settings.RECONCILE_PERIOD_HOURS * 3_600_000,
    crmShare: settings.RECONCILE_CRM_SHARE,
    requestsPerSecond: crm.limits.requestsPerSecond,
  });
  pass.periodAtRisk = !mode.whole && size.periodAtRisk;
  result.periodAtRisk = pass.periodAtRisk;
  if (pass.periodAtRisk) {
    deps.logger.warn("rolling reconciliation cannot compare the whole population within its period at this CRM budget share", {
      correlationId: ctx.correlationId,
      recordsPerRun: size.cap,
      periodHours: settings.RECONCILE_PERIOD_HOURS,
      crmShare: settings.RECONCILE_CRM_SHARE,
    });
  }

  const budget = crm.budget?.();
  if (!mode.whole && (budget?.queueFull || (budget?.allowanceUsed ?? 0) >= allowanceStepBack)) {
    pass.steppedBack += 1;
    result.steppedBack = true;
    deps.logger.info("rolling reconciliation steps back: the event path needs the CRM", { correlationId: ctx.correlationId, ...budget });
    await save();
    return result;
  }

  let allowance = size.records;
  const finishing = mode.whole || size.finishing;
  const more = () => allowance > 0 || finishing;
  pass.slices += 1;
  state.lastSliceAt = now.toISOString();
  const tally = new DriftTally(state.report.counts, state.report.items, (state.report.byEntity ??= {}));
  const before = { ...state.report.counts };

  for (const kind of kinds) {
    const walk = state.walk[kind];
    // Repairs of several pages go out in one batched write (a drifted record or two a page would otherwise cost
    // a CRM call each); the position is saved only once they are written, so a run that dies re-compares those pages.
    let repairs: Repair[] = [];
    const flush = async () => {
      if (repair) await rewrite(deps.sync, kind, repairs, ctx);
      repairs.forEach(({ item }) => tally.add(item));
      repairs = [];
      await save();
    };
    while (more() && !walk.done) {
      ctx.signal?.throwIfAborted();
      const limit = finishing ? pageSize : Math.min(pageSize, allowance);
      const page = await deps.reader.pageById(typeOf[kind], { ...(walk.afterId ? { afterId: walk.afterId } : {}), limit });
      if (page.length > 0) {
        repairs.push(...(await comparePage(deps, kind, page, settings, repair, tally, ctx)));
        walk.afterId = page[page.length - 1]!.id;
        pass.compared[kind].done += page.length;
        allowance -= page.length;
      }
      if (page.length < limit) walk.done = true;
      if (repairs.length >= crm.limits.maxBatchSize || walk.done || !more()) await flush();
    }
  }
  while (more() && kinds.every((k) => state.walk[k].done) && !pass.crmListingDone) {
    ctx.signal?.throwIfAborted();
    const listed = await findOrphans(deps, state, settings, repair, tally, ctx);
    pass.crmListed += listed;
    allowance -= Math.max(1, listed);
    await save();
  }

  const after = state.report.counts;
  result.compared = after.commercetools - before.commercetools;
  result.drifted = (["missing_in_crm", "stale_in_crm", "orphaned_in_crm", "ownership_violation"] as const).reduce((n, k) => n + after[k] - before[k], 0);
  result.repaired = after.repaired - before.repaired;
  state.report.finishedAt = clock.now().toISOString();
  state.report.truncated = tally.truncated();
  if (passComplete(state)) {
    result.passCompleted = true;
    await deps.store.save(state.report);
    deps.logger.info("rolling reconciliation pass completed", { correlationId: ctx.correlationId, connection, counts: state.report.counts });
  }
  await save();
  return result;
}

export type SliceInput = {
  /** Records a pass handles, and those it has handled so far. */
  work: number;
  done: number;
  /** Since the pass started, and the time this slice covers (since the previous one). */
  elapsedMs: number;
  intervalMs: number;
  periodMs: number;
  crmShare: number;
  requestsPerSecond: number;
};

/**
 * Pure: how many records this slice takes. Those due by the end of the
 * interval for the pass to end within the period (so a run that comes late,
 * or after missed runs, catches up), capped by the share of the CRM's
 * request rate over the interval (one read per page of 100; at least one
 * page a run, so a pass always moves). `finishing`: the rest of the pass
 * fits, and the slice runs to its end whatever the counts taken at its start
 * missed (records created since, duplicates in the CRM, an empty last page).
 */
export function sliceSize(input: SliceInput): { records: number; cap: number; finishing: boolean; periodAtRisk: boolean } {
  const { work, done, elapsedMs, intervalMs, periodMs } = input;
  const due = Math.ceil(work * Math.min(1, (elapsedMs + intervalMs) / periodMs)) - done;
  const cap = Math.max(1, Math.floor((input.crmShare * input.requestsPerSecond * intervalMs) / 1000)) * pageSize;
  const records = Math.min(Math.max(due, 0), cap);
  // Runs within one period (at least this one: a period shorter than the schedule asks each run for the whole pass).
  const periodAtRisk = cap * Math.max(1, periodMs / intervalMs) < work;
  return { records, cap, finishing: records >= work - done, periodAtRisk };
}

function passComplete(state: RollingState): boolean {
  return kinds.every((k) => state.walk[k].done) && state.report.pass.crmListingDone;
}

/** A new pass: the population counted once (one query per kind), the walks at their start. */
async function newPass(deps: RollingDeps, settings: ReconcileSettings, now: Date, lastSliceAt: string | undefined, repair: boolean): Promise<RollingState> {
  const totals = await Promise.all(kinds.map((kind) => deps.reader.count(typeOf[kind])));
  const report: ReconciliationReport & { pass: RollingState["report"]["pass"] } = {
    connection: deps.sync.deps.connection,
    crm: deps.sync.deps.crm.name,
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    repair,
    deleteOrphans: repair && settings.RECONCILE_DELETE_ORPHANS,
    counts: emptyCounts(),
    byEntity: {},
    pass: {
      periodHours: settings.RECONCILE_PERIOD_HOURS,
      slices: 0,
      steppedBack: 0,
      periodAtRisk: false,
      compared: { person: { done: 0, total: totals[0]! }, company: { done: 0, total: totals[1]! }, order: { done: 0, total: totals[2]! } },
      crmListed: 0,
      crmListingDone: false,
    },
    items: [],
    truncated: false,
  };
  return { walk: { person: { done: false }, company: { done: false }, order: { done: false } }, ...(lastSliceAt ? { lastSliceAt } : {}), report };
}

type Resource = Customer | BusinessUnit | Order;

/** The canonical records of one page, as a live sync would map them (orders keep the person and company their link names). */
async function canonical(sync: SyncService, kind: ReconciledKind, page: Resource[], links: Map<string, SyncLink>): Promise<CanonicalRecord[]> {
  if (kind === "person") return sync.peopleFor(page as Customer[]);
  if (kind === "company") return sync.companies(page as BusinessUnit[]);
  return (page as Order[]).flatMap((order): OrderActivity[] => {
    const written = links.get(order.id)?.written as Partial<OrderActivity> | undefined;
    const personSourceId = written?.personSourceId ?? order.customerId;
    // A guest order never written has no person yet: the live sync matches it (below, as missing).
    if (!personSourceId) return [];
    return [orderActivityFromOrder(order, { personSourceId, companySourceId: written?.companySourceId }, sync.deps.mapping)];
  });
}

type Repair = { record: CanonicalRecord; item: DriftItem };

/**
 * Compares one commercetools page with the CRM's records carrying its IDs:
 * answers the records to write again (the caller batches them); what needs
 * no write (in sync, duplicates, records the live sync writes) is tallied here.
 */
async function comparePage(deps: RollingDeps, kind: ReconciledKind, page: Resource[], settings: ReconcileSettings, repair: boolean, tally: DriftTally, ctx: CallContext): Promise<Repair[]> {
  const { sync, reconcile } = deps;
  const ids = page.map((r) => r.id);
  const [answered, linkMap, failing] = await Promise.all([
    reconcile.readSynced(kind, ids, ctx),
    sync.deps.links.getMany(kind, ids),
    sync.deps.failures.unresolvedOf(sync.deps.connection, "ct-to-crm", kind, ids),
  ]);
  const links = new Map([...linkMap].map(([id, v]) => [id, v.value]));
  tally.count(kind, "commercetools", page.length);
  tally.count(kind, "crm", answered.length);
  const crmRecords = new Map<string, SyncedRecord[]>();
  for (const record of answered) crmRecords.set(record.sourceId, [...(crmRecords.get(record.sourceId) ?? []), record]);

  const config = await sync.deps.model?.config();
  const records = new Map((await canonical(sync, kind, page, links)).map((r) => [r.sourceId, r]));
  const toWrite: Repair[] = [];
  const unmapped: string[] = [];
  for (const id of ids) {
    const input = records.get(id);
    const held = crmRecords.get(id) ?? [];
    // A record waiting in the failure store (its retry, or a person's review) is the failure path's: writing it
    // here would retry it on every pass, around its schedule and its reviewer. Reported, not written.
    if (failing.has(id)) {
      if (held.length === 0) tally.add({ kind: "missing_in_crm", entity: kind, sourceId: id, repaired: false, error: "waiting in the failure store for its retry or review" });
      continue;
    }
    const link = links.get(id);
    if (!input) {
      if (held.length === 0) unmapped.push(id);
      else tally.count(kind, "inSync");
      continue;
    }
    // Compared as it would be written: mapping configuration, consent, segmentation and ownership applied.
    const prepared = config ? prepareRecord(config, sync.deps.connection, kind, input, link) : { kind: "ready" as const, record: input };
    // Routed to another connection, or invalid (waiting in the failure store): not this CRM's to hold.
    if (prepared.kind !== "ready") continue;
    if (held.length === 0) {
      toWrite.push({ record: input, item: { kind: "missing_in_crm", entity: kind, sourceId: id, repaired: false } });
      continue;
    }
    const primary = held.find((r) => r.crmId === link?.crmId) ?? held[0]!;
    for (const duplicate of held.filter((r) => r !== primary)) {
      const item: DriftItem = { kind: "orphaned_in_crm", entity: kind, sourceId: id, crmId: duplicate.crmId, repaired: false };
      if (repair && settings.RECONCILE_DELETE_ORPHANS && kind === "person") await attempt(item, () => reconcile.deletePerson(duplicate.crmId, ctx));
      tally.add(item);
    }
    const fields = differing(expectedOf(reconcile, prepared.record), primary.values);
    if (fields.length === 0) {
      tally.count(kind, "inSync");
      continue;
    }
    const drift = wroteThis(reconcile, link, primary.values, fields) ? "stale_in_crm" : "ownership_violation";
    toWrite.push({ record: input, item: { kind: drift, entity: kind, sourceId: id, crmId: primary.crmId, fields, repaired: false } });
  }
  // Orders with no person yet (a guest order the sync never wrote): the live sync's guest matching writes them.
  if (unmapped.length > 0 && !repair) unmapped.forEach((id) => tally.add({ kind: "missing_in_crm", entity: kind, sourceId: id, repaired: false }));
  else if (unmapped.length > 0) {
    const outcomes = await sync.syncByIds(typeOf[kind], unmapped, ctx);
    for (const id of unmapped) {
      const outcome = outcomes.find((o) => o.entity === kind && o.sourceId === id);
      const written = outcome?.outcome === "written";
      tally.add({ kind: "missing_in_crm", entity: kind, sourceId: id, crmId: outcome?.crmId, repaired: written, ...(written ? {} : { error: outcome?.error?.message ?? `not written (${outcome?.outcome ?? "no outcome"})` }) });
    }
  }
  return toWrite;
}

/**
 * One page of the CRM's synced people: those whose customer commercetools no
 * longer has are orphans. A cursor the CRM refuses (expired between runs)
 * restarts the listing. Guests are left out: their ID comes from an order's
 * email, not a customer. Answers how many CRM people the page held.
 */
async function findOrphans(deps: RollingDeps, state: RollingState, settings: ReconcileSettings, repair: boolean, tally: DriftTally, ctx: CallContext): Promise<number> {
  let page;
  try {
    page = await deps.reconcile.listPeople(state.crmCursor, ctx);
  } catch (error) {
    if (state.crmCursor === undefined || isTransient(toSyncError(error).errorClass)) throw error;
    deps.logger.info("the CRM refused the orphan search's cursor; listing again from the start", { correlationId: ctx.correlationId });
    state.crmCursor = undefined;
    return 0;
  }
  const ids = [...new Set(page.people.map((p) => p.sourceId).filter((id) => !id.startsWith("guest-")))];
  const customers = ids.length ? await deps.reader.getMany("customer", ids) : new Map<string, Customer>();
  for (const person of page.people) {
    if (person.sourceId.startsWith("guest-") || customers.has(person.sourceId)) continue;
    const item: DriftItem = { kind: "orphaned_in_crm", entity: "person", sourceId: person.sourceId, crmId: person.crmId, repaired: false };
    if (repair && settings.RECONCILE_DELETE_ORPHANS) await attempt(item, () => deps.reconcile.deletePerson(person.crmId, ctx));
    tally.add(item);
  }
  state.crmCursor = page.cursor;
  if (!page.cursor) state.report.pass.crmListingDone = true;
  return page.people.length;
}
