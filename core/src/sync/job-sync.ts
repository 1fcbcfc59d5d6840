import { createHash } from "node:crypto";
import type { BusinessUnit, Customer, Order } from "@commercetools/platform-sdk";
import { orderActivityFromOrder } from "../domain/commerce-mapping";
import type { Person } from "../domain/model";
import type { CommerceResource, CommerceTypeId, PagePosition, PageQuery, PagingReader } from "../ports/commerce";
import type { CallContext } from "../ports/crm-outbound";
import { allOf, type Predicate, predicate } from "../ports/predicate";
import type { Checkpoint, JobStateStore } from "../state/job-state";
import type { Lease } from "../state/lease";
import { logEntries, type SyncLog } from "../state/sync-log";
import { type RecordOutcome, writeRecords } from "./record-writer";
import type { SyncService } from "./sync-service";

export type SyncEntity = Extract<CommerceTypeId, "business-unit" | "customer" | "order">;
/** Companies first (people link to them), people before their orders. */
export const syncEntities: SyncEntity[] = ["business-unit", "customer", "order"];

export type JobSyncDeps = {
  sync: SyncService;
  reader: PagingReader;
  state: JobStateStore;
  lease?: Lease;
  log?: SyncLog;
};

export type Scope = { store?: string; idFrom?: string; idTo?: string };

export type JobSyncOptions = {
  mode: "delta" | "backfill";
  entities?: SyncEntity[];
  /** Re-sync on demand of part of the data (backfill only). */
  scope?: Scope;
  pageSize?: number;
  /** Delta reads restart this far before the checkpoint: records committed late with an earlier timestamp are not missed. */
  lookbackMs?: number;
  /** People buffered before one bulk write; bounds memory whatever N is. */
  bulkChunkSize?: number;
  /** Called after each checkpoint save (observability and tests). */
  onCheckpoint?: (entity: SyncEntity, checkpoint: Checkpoint, processed: number) => void | Promise<void>;
};

export type EntityCounts = Record<"read" | "written" | "unchanged" | "stale" | "failed" | "missing" | "skipped", number>;

const emptyCounts = (): EntityCounts => ({ read: 0, written: 0, unchanged: 0, stale: 0, failed: 0, missing: 0, skipped: 0 });

/** The checkpoint value, with what a resumable backfill needs beside the position. */
type JobCheckpoint = Checkpoint & { until?: string; done?: boolean };

/** The records a backfill of `scope` reads (the job counts them for its progress too). */
export function scopePredicate(entity: SyncEntity, scope: Scope | undefined): Predicate | undefined {
  const store = scope?.store;
  return allOf(
    scope?.idFrom ? predicate`id >= ${scope.idFrom}` : undefined,
    scope?.idTo ? predicate`id <= ${scope.idTo}` : undefined,
    // Orders belong to one store; customers and business units list theirs.
    store ? (entity === "order" ? predicate`store(key = ${store})` : predicate`stores(key = ${store})`) : undefined,
  );
}

function checkpointName(mode: "delta" | "backfill", entity: SyncEntity, scope: Scope | undefined): string {
  if (mode === "delta") return entity;
  const scoped = scope && (scope.store || scope.idFrom || scope.idTo);
  return scoped ? `backfill-${entity}-${createHash("sha256").update(JSON.stringify(scope)).digest("hex").slice(0, 12)}` : `backfill-${entity}`;
}

const after = (a: PagePosition, b: PagePosition) => a.lastModifiedAt > b.lastModifiedAt || (a.lastModifiedAt === b.lastModifiedAt && a.id > b.id);

/**
 * Delta sync and backfill: keyset pages on (lastModifiedAt, id), each entity
 * from its checkpoint. The checkpoint moves only after the records before it
 * are written or in the failure store (writeRecords returns only then), so a
 * run killed at any point resumes without losing records, and
 * the upserts keyed on commercetools IDs make the re-done part duplicate-free.
 */
export async function runJobSync(deps: JobSyncDeps, options: JobSyncOptions, ctx: CallContext): Promise<Record<string, EntityCounts>> {
  const counts: Record<string, EntityCounts> = {};
  for (const entity of options.entities ?? syncEntities) {
    ctx.signal?.throwIfAborted();
    let mode = options.mode;
    if (mode === "delta" && !(await deps.state.checkpoint(entity))) mode = "backfill"; // first run: a full sync
    counts[entity] = await syncEntity(deps, { ...options, mode }, entity, ctx);
  }
  return counts;
}

async function syncEntity(deps: JobSyncDeps, options: JobSyncOptions, entity: SyncEntity, ctx: CallContext): Promise<EntityCounts> {
  const { clock } = deps.sync.deps;
  const counts = emptyCounts();
  const name = checkpointName(options.mode, entity, options.scope);
  const pageSize = options.pageSize ?? wholeBatchesPage(deps.sync.deps.crm.limits.maxBatchSize);
  const stored = await deps.state.checkpoint(name);
  let version = stored?.version;
  let saved = stored?.value as JobCheckpoint | undefined;

  let position: PagePosition | undefined;
  let until: string;
  if (options.mode === "backfill") {
    // A backfill left unfinished resumes exactly where it stopped, with its original upper bound.
    const resuming = saved && !saved.done && saved.until;
    until = resuming ? saved!.until! : clock.now().toISOString();
    position = resuming && saved!.lastId ? { lastModifiedAt: saved!.lastModifiedAt, id: saved!.lastId } : undefined;
    if (!resuming) ({ version, saved } = await save(deps, name, { entity: name, lastModifiedAt: "", lastId: "", updatedAt: until, until }, version));
  } else {
    until = clock.now().toISOString();
    const from = new Date(Date.parse(saved!.lastModifiedAt) - (options.lookbackMs ?? 120_000)).toISOString();
    position = { lastModifiedAt: from, id: "" };
  }

  const where = options.mode === "backfill" ? scopePredicate(entity, options.scope) : undefined;
  let people: Person[] = [];
  let bufferedUpTo: PagePosition | undefined;
  const bulk = deps.sync.deps.crm.bulk;
  const chunk = Math.max(options.bulkChunkSize ?? 10_000, pageSize);

  const advance = async (to: PagePosition) => {
    const current = saved?.lastId ? { lastModifiedAt: saved.lastModifiedAt, id: saved.lastId } : undefined;
    if (current && !after(to, current)) return; // lookback pages re-read the past: never move back
    await deps.lease?.renew();
    ({ version, saved } = await save(
      deps,
      name,
      { ...(saved ?? {}), entity: name, lastModifiedAt: to.lastModifiedAt, lastId: to.id, updatedAt: clock.now().toISOString() },
      version,
    ));
    await options.onCheckpoint?.(entity, saved!, counts.read);
  };
  // Up to `writesInFlight` pages (or people chunks) are written at once; each
  // checkpoint waits for the ones before it, so it only ever moves past
  // records that are in the CRM or in the failure store.
  const inFlight: Promise<void>[] = [];
  const submit = async (write: () => Promise<RecordOutcome[]>, upTo: PagePosition) => {
    const previous = inFlight.at(-1);
    const done = (async () => {
      const outcomes = await write();
      await previous;
      tally(counts, outcomes, deps, ctx);
      await advance(upTo);
    })();
    done.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    inFlight.push(done);
    if (inFlight.length >= writesInFlight) await inFlight.shift();
  };
  const flushPeople = async () => {
    if (people.length === 0) return;
    const chunkOfPeople = people;
    people = [];
    await submit(() => writeRecords(deps.sync.deps, "person", chunkOfPeople, ctx, { bulk }), bufferedUpTo!);
  };

  const read = (from: PagePosition | undefined) => deps.reader.page(entity, { after: from, until, where, limit: pageSize });
  try {
    let next = read(position);
    for (;;) {
      ctx.signal?.throwIfAborted();
      const page = await next;
      if (page.length === 0) break;
      counts.read += page.length;
      const last = page[page.length - 1]!;
      position = { lastModifiedAt: last.lastModifiedAt, id: last.id };
      // The next page is read while this one is prepared and written.
      next = page.length < pageSize ? Promise.resolve([]) : read(position);
      next.catch(() => undefined); // awaited on the next turn
      if (options.mode === "backfill" && entity === "customer") {
        // Buffered across pages so the bulk path sees thousands at once; the checkpoint waits for the flush.
        people.push(...(await deps.sync.peopleFor(page as Customer[])));
        bufferedUpTo = position;
        if (people.length >= chunk) await flushPeople();
      } else {
        await submit(() => writePage(deps, options.mode, entity, page, ctx), position);
      }
      if (page.length < pageSize) break;
    }
    await flushPeople();
    while (inFlight.length) await inFlight.shift();
  } finally {
    // A failed write stops the pass; the other writes still finish (into the CRM or the failure store) before it returns.
    await Promise.allSettled(inFlight);
  }

  if (options.mode === "backfill") {
    ({ version, saved } = await save(deps, name, { ...saved!, done: true, updatedAt: clock.now().toISOString() }, version));
    // A first full sync hands over to delta sync at its upper bound.
    if (!options.scope && !(await deps.state.checkpoint(entity))) {
      await deps.state.saveCheckpoint({ entity, lastModifiedAt: until, lastId: "", updatedAt: clock.now().toISOString() });
    }
  }
  return counts;
}

/** Pages (or bulk chunks of people) being written at once by one entity's pass. */
const writesInFlight = 2;

/** commercetools answers at most this many records a query. */
const maxPageSize = 500;

/**
 * A page holds whole CRM batches (400 for Salesforce's 200), so no page ends
 * in a part-filled batch: a backfill makes ⌈N / batch size⌉ CRM calls, not one more a page.
 */
function wholeBatchesPage(maxBatchSize: number): number {
  return maxBatchSize >= maxPageSize ? maxPageSize : Math.floor(maxPageSize / maxBatchSize) * maxBatchSize;
}

async function save(deps: JobSyncDeps, name: string, value: JobCheckpoint, version: number | undefined) {
  const result = await deps.state.saveCheckpoint(value, version);
  return { version: result.version, saved: result.value as JobCheckpoint };
}

function tally(counts: EntityCounts, outcomes: RecordOutcome[], deps: JobSyncDeps, ctx: CallContext) {
  for (const o of outcomes) counts[o.outcome] += 1;
  // The log is best effort here: losing an entry must not fail a page whose records are safe.
  void deps.log
    ?.append("job", logEntries(outcomes, { at: deps.sync.deps.clock.now().toISOString(), correlationId: ctx.correlationId, connection: deps.sync.deps.connection }))
    .catch(() => undefined);
}

async function writePage(deps: JobSyncDeps, mode: "delta" | "backfill", entity: SyncEntity, page: unknown[], ctx: CallContext): Promise<RecordOutcome[]> {
  if (entity === "business-unit") return deps.sync.syncBusinessUnits(page as BusinessUnit[], ctx);
  if (entity === "customer") return deps.sync.syncCustomers(page as Customer[], ctx);
  return mode === "backfill" ? backfillOrders(deps, page as Order[], ctx) : deps.sync.syncOrders(page as Order[], ctx);
}

/**
 * Orders of a backfill: their people were synced by the customer pass, so an
 * order whose person is linked is written directly (one links query a page);
 * guests and unlinked customers take the full per-order path.
 */
async function backfillOrders(deps: JobSyncDeps, orders: Order[], ctx: CallContext): Promise<RecordOutcome[]> {
  const customerIds = [...new Set(orders.map((o) => o.customerId).filter((id): id is string => Boolean(id)))];
  const linked = await deps.sync.deps.links.getMany("person", customerIds);
  const unitIds = new Map<string, string | undefined>();
  const ready = [];
  const rest: Order[] = [];
  for (const order of orders) {
    if (!order.customerId || !linked.has(order.customerId)) {
      rest.push(order);
      continue;
    }
    const key = order.businessUnit?.key;
    if (key && !unitIds.has(key)) unitIds.set(key, (await deps.reader.businessUnitByKey(key))?.id);
    ready.push(orderActivityFromOrder(order, { personSourceId: order.customerId, companySourceId: key ? unitIds.get(key) : undefined }, deps.sync.deps.mapping));
  }
  const outcomes = await writeRecords(deps.sync.deps, "order", ready, ctx);
  if (rest.length) outcomes.push(...(await deps.sync.syncOrders(rest, ctx)));
  return outcomes;
}
