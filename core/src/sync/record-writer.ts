import { isTransient, type SyncErrorDetails, toSyncError } from "../domain/errors";
import { stableHash } from "../domain/hash";
import type { CanonicalRecord, EntityKind, Person } from "../domain/model";
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
import type { SyncModel } from "./sync-model";

export type RecordOutcome = {
  entity: EntityKind;
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

/** What decides "nothing changed": every mapped value except the source version. */
export function recordHash(record: CanonicalRecord): string {
  const { sourceVersion: _version, ...values } = record;
  return stableHash(values);
}

function upsert(crm: CrmAdapter, entity: EntityKind, records: CanonicalRecord[], ctx: CallContext) {
  switch (entity) {
    case "person":
      return crm.upsertPeople(records as never, ctx);
    case "company":
      return crm.upsertCompanies(records as never, ctx);
    case "order":
      return crm.upsertOrders(records as never, ctx);
  }
}

/** Keeps the newest version of each record when one batch holds the same record twice. */
function newestPerSource<R extends CanonicalRecord>(records: R[]): R[] {
  const newest = new Map<string, R>();
  for (const record of records) {
    const seen = newest.get(record.sourceId);
    if (!seen || record.sourceVersion >= seen.sourceVersion) newest.set(record.sourceId, record);
  }
  return [...newest.values()];
}

/**
 * Records of one connection are written one writer at a time per record inside
 * this process: the stale/unchanged decision, the CRM write and the link save
 * must not interleave with another delivery of the same record, or a slower
 * writer of an older version could overwrite the CRM after a newer one (the
 * link would then claim the newer values and later deliveries look "unchanged").
 */
const recordLocks = new KeyedLock();

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
 */
export async function writeRecords(
  deps: WriterDeps,
  entity: EntityKind,
  input: CanonicalRecord[],
  ctx: CallContext,
  options: WriteOptions = {},
): Promise<RecordOutcome[]> {
  const records = newestPerSource(input);
  const lockKeys = records.map((r) => `${deps.connection}|${entity}|${r.sourceId}`);
  return recordLocks.runAll(lockKeys, () => writeLocked(deps, entity, records, ctx, options));
}

export type WriteOptions = { bulk?: CrmBulkWrites; rewrite?: boolean };

async function writeLocked(
  deps: WriterDeps,
  entity: EntityKind,
  records: CanonicalRecord[],
  ctx: CallContext,
  { bulk, rewrite }: WriteOptions,
): Promise<RecordOutcome[]> {
  const links = await deps.links.getMany(entity, records.map((r) => r.sourceId));
  const outcomes = new Map<string, RecordOutcome>();
  const pending: { record: CanonicalRecord; hash: string }[] = [];

  for (const input of records) {
    const link = links.get(input.sourceId)?.value;
    if (link && link.sourceVersion > input.sourceVersion) {
      outcomes.set(input.sourceId, { entity, sourceId: input.sourceId, outcome: "stale", crmId: link.crmId });
      continue;
    }
    // Mapping configuration, consent, validation, segmentation and ownership (sync-model.ts).
    const prepared = deps.model ? await deps.model.prepare(entity, input, link, ctx) : { kind: "ready" as const, record: input };
    if (prepared.kind === "skip") {
      outcomes.set(input.sourceId, { entity, sourceId: input.sourceId, outcome: "skipped", crmId: link?.crmId });
      continue;
    }
    if (prepared.kind === "fail") {
      const { custom: _raw, ...payload } = input as CanonicalRecord & { custom?: unknown };
      await recordFailure(deps, entity, input.sourceId, prepared.error, ctx, payload, input.sourceVersion);
      outcomes.set(input.sourceId, { entity, sourceId: input.sourceId, outcome: "failed", error: prepared.error });
      continue;
    }
    const record = prepared.record;
    const hash = recordHash(record);
    if (link && link.hash === hash && !rewrite) {
      outcomes.set(record.sourceId, { entity, sourceId: record.sourceId, outcome: "unchanged", crmId: link.crmId });
    } else {
      pending.push({ record, hash });
    }
  }

  if (bulk && entity === "person" && pending.length >= bulk.threshold) {
    const results = await bulkUpsertPeople(deps, bulk, pending.map((p) => p.record as Person), ctx);
    const settled = await settleWrites(deps, entity, pending.map((p, i) => ({ ...p, result: results[i] })), links, ctx);
    for (const o of settled) outcomes.set(o.sourceId, o);
    return records.map((r) => outcomes.get(r.sourceId)!);
  }

  const batchSize = Math.max(1, deps.crm.limits.maxBatchSize);
  // Each batch's links and failure entries are saved while the next batch is
  // written to the CRM; this returns only once every batch has settled.
  const settling: Promise<void>[] = [];
  for (let i = 0; i < pending.length; i += batchSize) {
    const batch = pending.slice(i, i + batchSize);
    let results: WriteOutcome[];
    try {
      results = await withRetry(
        () => upsert(deps.crm, entity, batch.map((b) => b.record), ctx),
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
      results = batch.map((b) => ({ sourceId: b.record.sourceId, ok: false as const, error }));
    }
    const settled = settleWrites(deps, entity, batch.map((b, index) => ({ ...b, result: results[index] })), links, ctx).then((done) => {
      for (const o of done) outcomes.set(o.sourceId, o);
    });
    // Awaited below; the handler only keeps a failure that lands during the next CRM write from counting as unhandled.
    settled.catch(() => undefined);
    settling.push(settled);
  }
  await Promise.all(settling);
  return records.map((r) => outcomes.get(r.sourceId)!);
}

type SettleInput = { record: CanonicalRecord; hash: string; result: WriteOutcome | undefined };

/**
 * After a CRM write: the link of each written record, a failure entry for each
 * refused one. When this returns, every record is in one of the two. Open
 * failure entries are looked up for the whole batch at once (one query per
 * 100 records), so a clean write does not read an entry per record to resolve
 * entries that do not exist; saves run `settleConcurrency` at a time.
 */
async function settleWrites(
  deps: WriterDeps,
  entity: EntityKind,
  writes: SettleInput[],
  links: Map<string, Versioned<SyncLink>>,
  ctx: CallContext,
): Promise<RecordOutcome[]> {
  const succeeded = writes.filter((w) => w.result?.ok).map((w) => w.record.sourceId);
  const open = await deps.failures.unresolvedOf(deps.connection, "ct-to-crm", entity, succeeded);
  const syncedAt = deps.clock.now().toISOString();
  const outcomes: RecordOutcome[] = [];
  await inPool(writes, settleConcurrency, async ({ record, hash, result }) => {
    const { sourceId, sourceVersion } = record;
    if (result?.ok) {
      const { sourceVersion: _v, ...written } = record;
      await deps.links.save(
        { connection: deps.connection, entity, sourceId, crmId: result.crmId, sourceVersion, hash, written, syncedAt, correlationId: ctx.correlationId },
        links.get(sourceId),
      );
      if (open.has(sourceId)) await deps.failures.resolve(deps.connection, "ct-to-crm", entity, sourceId, sourceVersion);
      outcomes.push({ entity, sourceId, outcome: "written", crmId: result.crmId });
      return;
    }
    const error = result?.ok === false ? result.error : { errorClass: "unknown" as const, message: "CRM answered fewer results than records sent" };
    await recordFailure(deps, entity, sourceId, error, ctx, record, sourceVersion);
    outcomes.push({ entity, sourceId, outcome: "failed", error });
  });
  return outcomes;
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
    correlationId: ctx.correlationId,
    retryable: isTransient(error.errorClass),
  });
  deps.logger.warn("record failed, kept in the failure store", {
    correlationId: ctx.correlationId,
    entity,
    sourceId,
    errorClass: error.errorClass,
    status: error.status,
    code: error.code,
  });
}
