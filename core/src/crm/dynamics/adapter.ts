import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { Company, OrderActivity, Person } from "../../domain/model";
import type { CallContext, CrmAdapter, CrmLimits, CrmRecord, WriteOutcome } from "../../ports/crm-outbound";
import { readAll } from "../kit/pager";
import { SingleFlight } from "../kit/single-flight";
import type { DataverseApi } from "./api";
import { maxBatchOperations } from "./batch";
import { dealColumns, dealWriter } from "./deals";
import { accountBody, contactBody, orderBody, tables } from "./mapping";
import { odataString, queryPages } from "./odata";
import { recordOrderEvents } from "./order-events";
import { dynamicsReconciliation } from "./reconcile";
import { type RecordWrites, upsertByKey, writeInBatches } from "./writes";

/** From this many people a backfill takes the bulk path: `$batch` calls of a thousand upserts, several at once. */
export const bulkThreshold = 1_000;
const bulkParallelCalls = 4;

/**
 * What ct-crm-sync writes, by entity set: verified once per connection (we
 * never create tables or columns in the merchant's environment).
 */
const requiredColumns: Record<string, string[]> = {
  [tables.contact.entitySet]: [
    ...["ct_customerid", "ct_roles", "ct_locale", "ct_storekeys", "ct_customergroup", "ct_emailconsentat", "ct_smsconsent", "ct_smsconsentat"],
    ...["ct_lastpurchasedate", "ct_ordercount", "ct_lifetimevalue", "ct_lifetimevaluecurrency", "ct_followup", "ct_segments"],
  ],
  [tables.account.entitySet]: ["ct_businessunitid", "ct_businessunitkey", "ct_unittype", "ct_storekeys"],
  [tables.order.entitySet]: [
    ...["ct_name", "ct_orderid", "ct_ordernumber", "ct_total", "ct_currency", "ct_orderstate", "ct_paymentstate", "ct_shipmentstate"],
    ...["ct_linesummary", "ct_orderedat", "ct_storekey", "_ct_contactid_value", "_ct_accountid_value"],
  ],
};

const anyRows = z.object({ value: z.array(z.unknown()) });

/** The entity set's columns that a `$select` of them is refused for: all of them when the table itself is missing. */
async function missingColumns(api: DataverseApi, entitySet: string, columns: string[], ctx: CallContext): Promise<string[]> {
  const probe = (select: string[]) => api.http.json(ctx, { method: "GET", path: `/${entitySet}`, query: { $select: select.join(","), $top: "1" } }, anyRows);
  const refused = (error: unknown) => error instanceof SyncError && (error.errorClass === "validation" || error.errorClass === "not_found");
  try {
    await probe(columns);
    return [];
  } catch (error) {
    if (!refused(error)) throw error;
  }
  // Dataverse names only the first unknown column: each one is asked for alone to list them all.
  const missing: string[] = [];
  for (const column of columns) {
    try {
      await probe([column]);
    } catch (error) {
      if (!refused(error)) throw error;
      if ((error as SyncError).errorClass === "not_found") return [`${entitySet} (the table)`];
      missing.push(`${entitySet}.${column}`);
    }
  }
  return missing;
}

async function verifySchema(api: DataverseApi, required: Record<string, string[]>, ctx: CallContext): Promise<void> {
  const missing: string[] = [];
  for (const [entitySet, columns] of Object.entries(required)) missing.push(...(await missingColumns(api, entitySet, columns, ctx)));
  if (missing.length > 0) {
    throw new SyncError({ errorClass: "validation", message: `The Dataverse environment lacks what ct-crm-sync writes: ${missing.join(", ")} (create them, see the Dynamics 365 connector README)` });
  }
}

/** Companies in an order where a parent in the same call comes before its divisions (their lookup binds to it). */
export function parentsFirst(companies: readonly Company[]): number[] {
  const position = new Map(companies.map((c, i) => [c.sourceId, i]));
  const depth = (i: number, seen: Set<number>): number => {
    const parent = position.get(companies[i]!.parentSourceId ?? "");
    if (parent === undefined || seen.has(parent)) return 0;
    seen.add(i);
    return 1 + depth(parent, seen);
  };
  const depths = companies.map((_, i) => depth(i, new Set([i])));
  return companies.map((_, i) => i).sort((a, b) => depths[a]! - depths[b]! || a - b);
}

const personWrites = (records: Person[]): RecordWrites[] =>
  records.map((p) => ({ sourceId: p.sourceId, table: tables.contact, row: upsertByKey(tables.contact, p.sourceId, contactBody(p)), followUps: [] }));

const orderWrites = (records: OrderActivity[]): RecordWrites[] =>
  records.map((o) => ({ sourceId: o.sourceId, table: tables.order, row: upsertByKey(tables.order, o.sourceId, orderBody(o)), followUps: [] }));

const personColumns = ["contactid", "ct_customerid", "firstname", "lastname", "emailaddress1", "telephone1", "_parentcustomerid_value", "donotbulkemail", "createdon", "modifiedon"];
const personRow = z.looseObject({ contactid: z.string(), ct_customerid: z.string().nullable().optional() });
/** Contacts answering one email or commercetools ID: a page at most; more is a runaway. */
const maxPersonPages = 10;

/**
 * The outbound side: upserts by alternate key through `$batch` (one call per
 * page of records, each record's writes in a change set of its own), a bulk
 * path for backfills, OData reads.
 */
export function dynamicsAdapter(api: DataverseApi, limits: CrmLimits): CrmAdapter {
  // One check serves every caller, under a context of its own: one caller giving up must not fail the others.
  const schema = new SingleFlight(() => verifySchema(api, requiredColumns, { correlationId: "dynamics-schema-check" }));
  // Cart deals need opportunity columns of their own, checked when the first deal is written: an org that syncs no carts needs none.
  const dealSchema = new SingleFlight(() => verifySchema(api, { [tables.deal.entitySet]: dealColumns }, { correlationId: "dynamics-deal-schema-check" }));
  const writeDeals = dealWriter(api);
  const live = { maxOperations: maxBatchOperations, parallel: 1 };

  return {
    name: "dynamics",
    limits,
    bulk: {
      threshold: bulkThreshold,
      upsertPeople: (records, ctx) => writeInBatches(api, personWrites(records), ctx, { maxOperations: maxBatchOperations, parallel: bulkParallelCalls }),
    },
    reconcile: dynamicsReconciliation(api),
    ensureSchema: () => schema.get(),

    upsertPeople: (records, ctx) => writeInBatches(api, personWrites(records), ctx, live),

    async upsertCompanies(records, ctx) {
      const order = parentsFirst(records);
      const writes = order.map((i) => {
        const c = records[i]!;
        return { sourceId: c.sourceId, table: tables.account, row: upsertByKey(tables.account, c.sourceId, accountBody(c)), followUps: [] };
      });
      const written = await writeInBatches(api, writes, ctx, live);
      const outcomes: WriteOutcome[] = new Array(records.length);
      order.forEach((i, k) => (outcomes[i] = written[k]!));
      return outcomes;
    },

    upsertOrders: (records, ctx) => writeInBatches(api, orderWrites(records), ctx, live),

    async upsertDeals(records, ctx) {
      await dealSchema.get();
      return writeDeals(records, ctx);
    },

    recordOrderEvents: (events, ctx) => recordOrderEvents(api, events, ctx),

    async findPeople(query, ctx): Promise<CrmRecord[]> {
      const filter = "sourceId" in query ? `${tables.contact.key} eq ${odataString(query.sourceId)}` : `emailaddress1 eq ${odataString(query.email)}`;
      const request = { entitySet: tables.contact.entitySet, query: { $select: personColumns.join(","), $filter: filter, $orderby: "createdon asc" }, pageSize: 100 };
      const rows = await readAll(queryPages(api, request, personRow, ctx), { maxPages: maxPersonPages, atCap: "fail" });
      return rows.map(({ "@odata.etag": _etag, ...fields }) => {
        const sourceId = fields.ct_customerid;
        return sourceId ? { crmId: fields.contactid, sourceId, fields } : { crmId: fields.contactid, fields };
      });
    },
  };
}
