import { isTransient, type SyncErrorDetails, toSyncError } from "../domain/errors";
import { stableHash } from "../domain/hash";
import type { CanonicalRecord, EntityKind } from "../domain/model";
import type { CallContext, CrmAdapter, WriteOutcome } from "../ports/crm-adapter";
import type { Clock } from "../ports/clock";
import type { Logger } from "../ports/logger";
import { type RetryPolicy, withRetry } from "../reliability/retry";
import type { FailureStore } from "../state/failure-store";
import type { LinkStore } from "../state/link-store";
import type { SyncOutcomeKind } from "../state/sync-log";
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
const recordLocks = new Map<string, Promise<void>>();

async function withRecordLocks<T>(keys: string[], task: () => Promise<T>): Promise<T> {
  // Sorted, so two batches sharing records cannot wait on each other.
  const sorted = [...new Set(keys)].sort();
  const previous = sorted.map((key) => recordLocks.get(key) ?? Promise.resolve());
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  const tails = sorted.map((key, i) => {
    const tail = previous[i]!.then(() => done);
    recordLocks.set(key, tail);
    return tail;
  });
  await Promise.all(previous);
  try {
    return await task();
  } finally {
    release();
    sorted.forEach((key, i) => {
      if (recordLocks.get(key) === tails[i]) recordLocks.delete(key);
    });
  }
}

/**
 * Writes canonical records of one kind to the CRM: drops stale and unchanged
 * ones against the stored links, batches the rest to the CRM's limit, retries
 * transient failures by the one policy, then saves links for successes and
 * failure entries for failures. Returns one outcome per distinct record.
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
): Promise<RecordOutcome[]> {
  const records = newestPerSource(input);
  const lockKeys = records.map((r) => `${deps.connection}|${entity}|${r.sourceId}`);
  return withRecordLocks(lockKeys, () => writeLocked(deps, entity, records, ctx));
}

async function writeLocked(
  deps: WriterDeps,
  entity: EntityKind,
  records: CanonicalRecord[],
  ctx: CallContext,
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
    if (link && link.hash === hash) {
      outcomes.set(record.sourceId, { entity, sourceId: record.sourceId, outcome: "unchanged", crmId: link.crmId });
    } else {
      pending.push({ record, hash });
    }
  }

  const batchSize = Math.max(1, deps.crm.limits.maxBatchSize);
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
    for (const [index, pendingRecord] of batch.entries()) {
      const result = results[index] ?? {
        sourceId: pendingRecord.record.sourceId,
        ok: false as const,
        error: { errorClass: "unknown" as const, message: "CRM answered fewer results than records sent" },
      };
      outcomes.set(pendingRecord.record.sourceId, await settle(deps, entity, pendingRecord, result, links.get(pendingRecord.record.sourceId), ctx));
    }
  }
  return records.map((r) => outcomes.get(r.sourceId)!);
}

async function settle(
  deps: WriterDeps,
  entity: EntityKind,
  { record, hash }: { record: CanonicalRecord; hash: string },
  result: WriteOutcome,
  link: Parameters<LinkStore["save"]>[1],
  ctx: CallContext,
): Promise<RecordOutcome> {
  if (result.ok) {
    const { sourceVersion: _v, ...written } = record;
    await deps.links.save(
      {
        connection: deps.connection,
        entity,
        sourceId: record.sourceId,
        crmId: result.crmId,
        sourceVersion: record.sourceVersion,
        hash,
        written,
        syncedAt: deps.clock.now().toISOString(),
        correlationId: ctx.correlationId,
      },
      link,
    );
    await deps.failures.resolve(deps.connection, "ct-to-crm", entity, record.sourceId, record.sourceVersion);
    return { entity, sourceId: record.sourceId, outcome: "written", crmId: result.crmId };
  }
  await recordFailure(deps, entity, record.sourceId, result.error, ctx, record, record.sourceVersion);
  return { entity, sourceId: record.sourceId, outcome: "failed", error: result.error };
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
