import type { CallContext, CrmAdapter, CrmLimits, CrmRecord, PersonQuery, WriteOutcome } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import { upsertCompany } from "./companies";
import { contactHitFields, type Call, type Deps, type WriteResult } from "./context";
import { recordLevelFailure } from "./errors";
import { customKey } from "./field-names";
import { CloseHttp, type CloseHttpOptions } from "./http";
import { KeyedMutex } from "./keyed-mutex";
import { contactsOfCustomers, upsertOrder } from "./orders";
import { findPersonContacts, upsertPeople } from "./people";
import { closeReconciliation } from "./reconcile";
import { SchemaRegistry } from "./schema-registry";
import { contactByEmail, oldestFirst, searchAll } from "./search";
import type { SearchHit } from "./schemas";

export type CloseAdapterOptions = Omit<CloseHttpOptions, "requestsPerSecond"> & {
  logger?: Logger;
  /** Close requests a second (default closeLimits.requestsPerSecond); raise it only against a CRM you run yourself. */
  requestsPerSecond?: number;
};

/**
 * Close has no bulk create or update: one request per record written. Limits
 * are per endpoint group and per key (the org gets 3×), so the adapter paces
 * its own requests (CloseHttp) to `requestsPerSecond`, well below the
 * published figures. A call carries up to `maxBatchSize` people, found with
 * one search; calls are paced by the same figure, and each is at least one request.
 */
export const closeLimits: CrmLimits = { maxBatchSize: 100, requestsPerSecond: 20, maxConcurrency: 3 };

function toRecord(hit: SearchHit, customerKey: string): CrmRecord {
  const sourceId = hit[customerKey];
  return {
    crmId: hit.id,
    ...(typeof sourceId === "string" ? { sourceId } : {}),
    fields: { name: hit.name ?? null, emails: hit.emails ?? [], lead_id: hit.lead_id ?? null },
  };
}

export function createCloseAdapter(options: CloseAdapterOptions): CrmAdapter {
  const requestsPerSecond = options.requestsPerSecond ?? closeLimits.requestsPerSecond;
  const http = new CloseHttp({ ...options, requestsPerSecond });
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
        outcomes.push({ sourceId: record.sourceId, ok: false, error: recordLevelFailure(raw) });
      }
    }
    return outcomes;
  }

  return {
    name: "close",
    limits: { ...closeLimits, requestsPerSecond },
    // No bulk path: Close writes one record a request (backfills go through upsertPeople, batched finds).
    reconcile: closeReconciliation(call),
    async ensureSchema(ctx) {
      await registry.get(ctx);
    },
    upsertCompanies: (records, ctx) => each(records, ctx, upsertCompany),
    async upsertPeople(records, ctx) {
      if (records.length === 0) return [];
      const results = await upsertPeople(await call(ctx), records);
      return results.map((r, i): WriteOutcome => {
        const sourceId = records[i]!.sourceId;
        return r.ok ? { sourceId, ok: true, ...r.result } : { sourceId, ok: false, error: r.error };
      });
    },
    async upsertOrders(records, ctx) {
      if (records.length === 0) return [];
      const known = await contactsOfCustomers(await call(ctx), records);
      return each(records, ctx, (c, order) => upsertOrder(c, order, known));
    },
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
