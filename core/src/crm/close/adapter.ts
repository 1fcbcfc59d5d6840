import { SyncError, toSyncError } from "../../domain/errors";
import type { CallContext, CrmAdapter, CrmLimits, CrmRecord, PersonQuery, WriteOutcome } from "../../ports/crm-adapter";
import type { Logger } from "../../ports/logger";
import { upsertCompany } from "./companies";
import { contactHitFields, type Call, type Deps, type WriteResult } from "./context";
import { isRecordLevel } from "./errors";
import { customKey } from "./field-names";
import { CloseHttp, type CloseHttpOptions } from "./http";
import { KeyedMutex } from "./keyed-mutex";
import { upsertOrder } from "./orders";
import { findPersonContacts, upsertPerson } from "./people";
import { closeReconciliation } from "./reconcile";
import { SchemaRegistry } from "./schema-registry";
import { contactByEmail, oldestFirst, searchAll } from "./search";
import type { SearchHit } from "./schemas";

export type CloseAdapterOptions = CloseHttpOptions & { logger?: Logger };

/**
 * Close has no bulk create or update: one record at a time. Limits are per
 * endpoint group and per key (the org gets 3×); an upsert costs 3–5 calls, so
 * we stay well below the published figures.
 */
export const closeLimits: CrmLimits = { maxBatchSize: 1, requestsPerSecond: 5, maxConcurrency: 3 };

function toRecord(hit: SearchHit, customerKey: string): CrmRecord {
  const sourceId = hit[customerKey];
  return {
    crmId: hit.id,
    ...(typeof sourceId === "string" ? { sourceId } : {}),
    fields: { name: hit.name ?? null, emails: hit.emails ?? [], lead_id: hit.lead_id ?? null },
  };
}

export function createCloseAdapter(options: CloseAdapterOptions): CrmAdapter {
  const http = new CloseHttp(options);
  const deps: Deps = { http, mutex: new KeyedMutex(), logger: options.logger };
  const registry = new SchemaRegistry(http);
  const call = async (ctx: CallContext): Promise<Call> => ({ ...deps, ctx, schema: await registry.get(ctx) });

  /**
   * Records one by one, outcomes in input order. A record-level failure
   * (Close refused this record) becomes its outcome; anything else (throttling,
   * outage, auth) fails the whole call so the retry policy can act on it.
   */
  async function each<T extends { sourceId: string }>(
    records: T[],
    ctx: CallContext,
    write: (c: Call, record: T) => Promise<WriteResult>,
  ): Promise<WriteOutcome[]> {
    if (records.length === 0) return [];
    const c = await call(ctx);
    const outcomes: WriteOutcome[] = [];
    for (const record of records) {
      try {
        const { crmId, created } = await write(c, record);
        outcomes.push({ sourceId: record.sourceId, ok: true, crmId, created });
      } catch (raw) {
        const error = toSyncError(raw);
        if (!(error instanceof SyncError) || !isRecordLevel(error)) throw error;
        outcomes.push({ sourceId: record.sourceId, ok: false, error: error.details });
      }
    }
    return outcomes;
  }

  return {
    name: "close",
    limits: closeLimits,
    // No bulk path: Close writes one record a request (backfills go through upsertPeople, paced by the limiter).
    reconcile: closeReconciliation(call),
    async ensureSchema(ctx) {
      await registry.get(ctx);
    },
    upsertCompanies: (records, ctx) => each(records, ctx, upsertCompany),
    upsertPeople: (records, ctx) => each(records, ctx, upsertPerson),
    upsertOrders: (records, ctx) => each(records, ctx, upsertOrder),
    async findPeople(query: PersonQuery, ctx) {
      const c = await call(ctx);
      const customerKey = customKey(c.schema.contact.customerId);
      if ("sourceId" in query) return (await findPersonContacts(c, query.sourceId)).map((h) => toRecord(h, customerKey));
      const email = query.email.toLowerCase();
      const hits = await searchAll(http, ctx, contactByEmail(query.email), { contact: ["id", "date_created", customerKey, ...contactHitFields] });
      const exact = hits.filter((h) => Array.isArray(h.emails) && h.emails.some((e) => (e as { email?: unknown }).email?.toString().toLowerCase() === email));
      return oldestFirst(exact).map((h) => toRecord(h, customerKey));
    },
  };
}
