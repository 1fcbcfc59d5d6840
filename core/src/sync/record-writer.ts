import { isTransient, type SyncErrorDetails, toSyncError } from "../domain/errors";
import { stableHash } from "../domain/hash";
import type { CanonicalRecord, Person, WrittenKind, WrittenRecord } from "../domain/model";
import type { CallContext, CrmAdapter, CrmBulkWrites, WriteOutcome } from "../ports/crm-outbound";
import type { Clock } from "../ports/clock";
import type { Logger } from "../ports/logger";
import { type RetryPolicy, withRetry } from "../reliability/retry";
import type { FailureStore } from "../state/failure-store";
import type { Versioned } from "../ports/key-value-store";
import type { LinkStore, SyncLink } from "../state/link-store";
import type { SyncOutcomeKind } from "../state/sync-log";
import { bulkUpsertPeople } from "./bulk-writer";
import { inPool } from "../pool";
import { KeyedLock } from "../reliability/keyed-lock";
import { Overloaded } from "./push-batcher";
import type { SyncModel } from "./sync-model";

export type RecordOutcome = {
  entity: WrittenKind;
  sourceId: string;
  outcome: SyncOutcomeKind;
  crmId?: string;
  error?: SyncErrorDetails;
};

export type WriterDeps = {
  connection: string;
  crm: CrmAdapter;
  links: LinkStore;
  failures: FailureStore;
  clock: Clock;
  retry: RetryPolicy;
  logger: Logger;
  /** The sync model (mapping configuration, consent, validation, ownership); without it records are written as mapped. */
  model?: SyncModel;
};

/** Links and failure entries saved at once after a CRM write (one custom object each). */
const settleConcurrency = 32;

/** The correlation ID of the request that asked for this record (its own push when pushes were batched). */
export const correlationOf = (ctx: CallContext, sourceId: string): string => ctx.correlationIds?.get(sourceId) ?? ctx.correlationId;

/**
 * Times a record is re-read and written again after racing another writer
 * (instance) before it is left to the job's retry: each round only follows a
 * new concurrent write of the same record.
 */
const maxRaceRounds = 3;

/** What decides "nothing changed": every mapped value except the source version. */
export function recordHash(record: WrittenRecord): string {
  const { sourceVersion: _version, ...values } = record;
  return stableHash(values);
}

function upsert(crm: CrmAdapter, entity: WrittenKind, records: WrittenRecord[], ctx: CallContext): Promise<WriteOutcome[]> {
  switch (entity) {
    case "person":
      return crm.upsertPeople(records as never, ctx);
    case "company":
      return crm.upsertCompanies(records as never, ctx);
    case "order":
      return crm.upsertOrders(records as never, ctx);
    case "deal":
      return crm.upsertDeals(records as never, ctx);
    case "order-event":
      return crm.recordOrderEvents(records as never, ctx);
  }
}


/** The kinds the mapping configuration (sync model) applies to; deals and timeline entries are written as derived. */
const isMapped = (record: WrittenRecord): record is CanonicalRecord => record.kind === "person" || record.kind === "company" || record.kind === "order";

/** Keeps the newest version of each record when one batch holds the same record twice. */
function newestPerSource<R extends WrittenRecord>(records: R[]): R[] {
  const newest = new Map<string, R>();
  for (const record of records) {
    const seen = newest.get(record.sourceId);
    if (!seen || record.sourceVersion >= seen.sourceVersion) newest.set(record.sourceId, record);
  }
  return [...newest.values()];
}

/**
 * Records of one connection are written one writer at a time per record inside
 * one runtime (one per process), so deliveries of one record do not race each
 * other there. An optimisation only: other instances (and the job) write the
 * same records, and the ordering is kept across them by the link (see
 * `writeRecords`). Keyed by the runtime's link store.
 */
const recordLocks = new WeakMap<LinkStore, KeyedLock>();
function recordLocksOf(links: LinkStore): KeyedLock {
  let locks = recordLocks.get(links);
  if (!locks) recordLocks.set(links, (locks = new KeyedLock()));
  return locks;
}

/**
 * Writes canonical records of one kind to the CRM: drops stale and unchanged
 * ones against the stored links, batches the rest to the CRM's limit, retries
 * transient failures by the one policy, then saves links for successes and
 * failure entries for failures. Returns one outcome per distinct record.
 *
 * With `bulk` (backfills), people go through the CRM's bulk path instead when
 * at least `bulk.threshold` of them are left to write. With `rewrite`
 * (reconciliation's repairs), records are written even when their hash says
 * unchanged: the link is right, the CRM is not.
 *
 * A record is never lost: it either reaches the CRM (and its link is saved) or
 * sits in the failure store; if even that write fails, the error propagates so
 * the caller does not acknowledge the work.
 *
 * Ordering across instances: every decision is taken on the link read first,
 * and the link is saved only if it is still that one after the CRM write
 * (a versioned save; an unchanged record with a newer source version moves
 * the link's version the same way). A writer that finds another writer's
 * link there instead cannot know whose CRM write landed last: it marks the
 * link unsettled (the next sync writes whatever the hash) and, with `reread`,
 * reads the records' current state and writes them again at once; after
 * `maxRaceRounds`, or without `reread`, the record goes to the failure store
 * as a conflict for the job to retry. So a slow writer of an older version
 * can never leave the CRM behind a link that claims newer values.
 */
export async function writeRecords(
  deps: WriterDeps,
  entity: WrittenKind,
  input: WrittenRecord[],
  ctx: CallContext,
  options: WriteOptions = {},
): Promise<RecordOutcome[]> {
  const records = newestPerSource(input);
  const lockKeys = records.map((r) => `${deps.connection}|${entity}|${r.sourceId}`);
  return lockedWithin(recordLocksOf(deps.links), lockKeys, ctx.signal, () => writeLocked(deps, entity, records, ctx, options));
}

/**
 * Runs the task holding the keys, unless the caller's deadline passes while
 * it waits for them (another writer of the same records holds them): then it
 * gives up as Overloaded, nothing done, and its turn passes unused.
 */
function lockedWithin<T>(locks: KeyedLock, keys: string[], signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
  if (!signal) return locks.runAll(keys, task);
  return new Promise<T>((resolve, reject) => {
    let started = false;
    const giveUp = () => {
      if (!started) reject(new Overloaded("its deadline passed while another writer held its records"));
    };
    signal.addEventListener("abort", giveUp, { once: true });
    locks
      .runAll(keys, async () => {
        signal.removeEventListener("abort", giveUp);
        if (signal.aborted) return undefined as T;
        started = true;
        return task();
      })
      .then((value) => started && resolve(value), reject);
    if (signal.aborted) giveUp();
  });
}

export type WriteOptions = {
  bulk?: CrmBulkWrites;
  rewrite?: boolean;
  /** The current state of these records, read again (after a race with another writer); records gone are left out. */
  reread?: (sourceIds: string[]) => Promise<WrittenRecord[]>;
};

async function writeLocked(
  deps: WriterDeps,
  entity: WrittenKind,
  records: WrittenRecord[],
  ctx: CallContext,
  options: WriteOptions,
  round = 0,
): Promise<RecordOutcome[]> {
  const { bulk, rewrite } = options;
  const links = await deps.links.getMany(entity, records.map((r) => r.sourceId));
  const outcomes = new Map<string, RecordOutcome>();
  const pending: { record: WrittenRecord; hash: string }[] = [];
  const raced: WrittenRecord[] = [];
  const newerUnchanged: WrittenRecord[] = [];

  for (const input of records) {
    const link = links.get(input.sourceId)?.value;
    if (link && link.sourceVersion > input.sourceVersion) {
      outcomes.set(input.sourceId, { entity, sourceId: input.sourceId, outcome: "stale", crmId: link.crmId });
      continue;
    }
    // Mapping configuration, consent, validation, segmentation and ownership (sync-model.ts).
    const prepared = deps.model && isMapped(input) ? await deps.model.prepare(input.kind, input, link, ctx) : { kind: "ready" as const, record: input };
    if (prepared.kind === "skip") {
      outcomes.set(input.sourceId, { entity, sourceId: input.sourceId, outcome: "skipped", crmId: link?.crmId });
      continue;
    }
    if (prepared.kind === "fail") {
      const { custom: _raw, ...payload } = input as WrittenRecord & { custom?: unknown };
      await recordFailure(deps, entity, input.sourceId, prepared.error, ctx, payload, input.sourceVersion);
      outcomes.set(input.sourceId, { entity, sourceId: input.sourceId, outcome: "failed", error: prepared.error });
      continue;
    }
    const record = prepared.record;
    const hash = recordHash(record);
    if (link && link.hash === hash && !rewrite) {
      outcomes.set(record.sourceId, { entity, sourceId: record.sourceId, outcome: "unchanged", crmId: link.crmId });
      if (record.sourceVersion > link.sourceVersion) newerUnchanged.push(record);
    } else {
      pending.push({ record, hash });
    }
  }

  // An unchanged record of a newer version moves its link's version, so a slower writer of an older one sees it moved.
  const moving = inPool(newerUnchanged, settleConcurrency, async (record) => {
    const known = links.get(record.sourceId)!;
    const moved = { ...known.value, sourceVersion: record.sourceVersion, syncedAt: deps.clock.now().toISOString(), correlationId: correlationOf(ctx, record.sourceId) };
    if (!(await deps.links.saveAfterWrite(moved, known)).saved) raced.push(record);
  });
  moving.catch(() => undefined);

  if (bulk && entity === "person" && pending.length >= bulk.threshold) {
    const results = await bulkUpsertPeople(deps, bulk, pending.map((p) => p.record as Person), ctx);
    const settled = await settleWrites(deps, entity, pending.map((p, i) => ({ ...p, result: results[i] })), links, ctx);
    for (const o of settled.outcomes) outcomes.set(o.sourceId, o);
    raced.push(...settled.raced);
    await moving;
    await settleRaces(deps, entity, raced, outcomes, ctx, options, round);
    return records.map((r) => outcomes.get(r.sourceId)!);
  }

  const batchSize = Math.max(1, deps.crm.limits.maxBatchSize);
  // Each batch's links and failure entries are saved while the next batch is
  // written to the CRM; this returns only once every batch has settled.
  const settling: Promise<void>[] = [];
  for (let i = 0; i < pending.length; i += batchSize) {
    const batch = pending.slice(i, i + batchSize);
    const results = await writeBatch(deps, entity, batch.map((b) => b.record), ctx);
    const settled = settleWrites(deps, entity, batch.map((b, index) => ({ ...b, result: results[index] })), links, ctx).then((done) => {
      for (const o of done.outcomes) outcomes.set(o.sourceId, o);
      raced.push(...done.raced);
    });
    // Awaited below; the handler only keeps a failure that lands during the next CRM write from counting as unhandled.
    settled.catch(() => undefined);
    settling.push(settled);
  }
  await Promise.all([...settling, moving]);
  await settleRaces(deps, entity, raced, outcomes, ctx, options, round);
  return records.map((r) => outcomes.get(r.sourceId)!);
}

/** One CRM call for the records, retried by the one policy; a call that keeps failing fails every record of it. */
async function send(deps: WriterDeps, entity: WrittenKind, records: WrittenRecord[], ctx: CallContext): Promise<WriteOutcome[]> {
  try {
    return await withRetry(
      () => upsert(deps.crm, entity, records, ctx),
      deps.retry,
      deps.clock,
      ({ attempt, delayMs, error }) =>
        deps.logger.warn("CRM call failed, retrying", {
          correlationId: ctx.correlationId,
          entity,
          attempt,
          delayMs,
          errorClass: error.errorClass,
          status: error.details.status,
        }),
      ctx.signal,
    );
  } catch (raw) {
    const error = toSyncError(raw).details;
    return records.map((r) => ({ sourceId: r.sourceId, ok: false as const, error }));
  }
}

/**
 * A batch's CRM write. Records the CRM refused as conflicts (another writer
 * created the same new record meanwhile, a locked row) go once more at once,
 * in a call of their own: the race is over, the write is an update now.
 */
async function writeBatch(deps: WriterDeps, entity: WrittenKind, records: WrittenRecord[], ctx: CallContext): Promise<WriteOutcome[]> {
  const results = await send(deps, entity, records, ctx);
  const conflicted = records.flatMap((_, i) => {
    const result = results[i];
    return result && !result.ok && result.error.errorClass === "conflict" ? [i] : [];
  });
  if (conflicted.length === 0 || ctx.signal?.aborted) return results;
  const again = await send(deps, entity, conflicted.map((i) => records[i]!), ctx);
  conflicted.forEach((index, k) => (results[index] = again[k] ?? results[index]!));
  return results;
}

/**
 * Records whose link another writer saved while we wrote them: the link is
 * marked unsettled, then the records are read again and written (another
 * round, under the locks still held), or left to the job as conflicts.
 */
async function settleRaces(
  deps: WriterDeps,
  entity: WrittenKind,
  raced: WrittenRecord[],
  outcomes: Map<string, RecordOutcome>,
  ctx: CallContext,
  options: WriteOptions,
  round: number,
): Promise<void> {
  if (raced.length === 0) return;
  await inPool(raced, settleConcurrency, (record) => deps.links.markUnsettled(entity, record.sourceId, record.sourceVersion));
  deps.logger.info("another writer saved these records while we wrote them: writing their current state again", {
    correlationId: ctx.correlationId,
    entity,
    sourceIds: raced.map((r) => r.sourceId),
    round,
  });
  if (options.reread && round < maxRaceRounds) {
    const current = await options.reread(raced.map((r) => r.sourceId));
    // Records gone from commercetools keep the outcome of the write that was made.
    for (const o of await writeLocked(deps, entity, current, ctx, options, round + 1)) outcomes.set(o.sourceId, o);
    return;
  }
  const error = { errorClass: "conflict" as const, message: "another writer wrote this record at the same time; the job writes its current state" };
  await inPool(raced, settleConcurrency, async (record) => {
    await recordFailure(deps, entity, record.sourceId, error, ctx, record, record.sourceVersion);
    outcomes.set(record.sourceId, { entity, sourceId: record.sourceId, outcome: "failed", error });
  });
}

type SettleInput = { record: WrittenRecord; hash: string; result: WriteOutcome | undefined };

/**
 * After a CRM write: the link of each written record, a failure entry for each
 * refused one. When this returns, every record is in one of the two. Open
 * failure entries are looked up for the whole batch at once (one query per
 * 100 records), so a clean write does not read an entry per record to resolve
 * entries that do not exist; saves run `settleConcurrency` at a time.
 */
async function settleWrites(
  deps: WriterDeps,
  entity: WrittenKind,
  writes: SettleInput[],
  links: Map<string, Versioned<SyncLink>>,
  ctx: CallContext,
): Promise<{ outcomes: RecordOutcome[]; raced: WrittenRecord[] }> {
  const succeeded = writes.filter((w) => w.result?.ok).map((w) => w.record.sourceId);
  const open = await deps.failures.unresolvedOf(deps.connection, "ct-to-crm", entity, succeeded);
  const syncedAt = deps.clock.now().toISOString();
  const outcomes: RecordOutcome[] = [];
  const raced: WrittenRecord[] = [];
  await inPool(writes, settleConcurrency, async ({ record, hash, result }) => {
    const { sourceId, sourceVersion } = record;
    if (result?.ok) {
      const { sourceVersion: _v, ...written } = record;
      const link = { connection: deps.connection, entity, sourceId, crmId: result.crmId, sourceVersion, hash, written, syncedAt, correlationId: correlationOf(ctx, sourceId) };
      const save = await deps.links.saveAfterWrite(link, links.get(sourceId));
      // Another writer wrote the same values of the same version: either order leaves the CRM right.
      const same = !save.saved && save.current?.value.sourceVersion === sourceVersion && save.current.value.hash === hash;
      if (!save.saved && !same) raced.push(record);
      if (open.has(sourceId)) await deps.failures.resolve(deps.connection, "ct-to-crm", entity, sourceId, sourceVersion);
      outcomes.push({ entity, sourceId, outcome: "written", crmId: result.crmId });
      return;
    }
    const error = result?.ok === false ? result.error : { errorClass: "unknown" as const, message: "CRM answered fewer results than records sent" };
    await recordFailure(deps, entity, sourceId, error, ctx, record, sourceVersion);
    outcomes.push({ entity, sourceId, outcome: "failed", error });
  });
  return { outcomes, raced };
}

export async function recordFailure(
  deps: Pick<WriterDeps, "connection" | "crm" | "failures" | "logger">,
  entity: string,
  sourceId: string,
  error: SyncErrorDetails,
  ctx: CallContext,
  payload?: unknown,
  sourceVersion?: number,
): Promise<void> {
  await deps.failures.record({
    sourceVersion,
    connection: deps.connection,
    crm: deps.crm.name,
    direction: "ct-to-crm",
    entity,
    sourceId,
    error,
    payload,
    correlationId: correlationOf(ctx, sourceId),
    retryable: isTransient(error.errorClass),
  });
  deps.logger.warn("record failed, kept in the failure store", {
    correlationId: correlationOf(ctx, sourceId),
    entity,
    sourceId,
    errorClass: error.errorClass,
    status: error.status,
    code: error.code,
  });
}
