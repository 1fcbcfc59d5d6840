import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { Company, Person } from "../../domain/model";
import type { Clock } from "../../ports/clock";
import type { CallContext, CrmAdapter, CrmLimits, CrmRecord, WriteOutcome } from "../../ports/crm-outbound";
import { readAll } from "../kit/pager";
import { SingleFlight } from "../kit/single-flight";
import type { SalesforceApi } from "./api";
import { bulkThreshold, bulkUpsert } from "./bulk";
import { upsertCollection } from "./collections";
import { generations } from "./company-order";
import { dealFields, opportunityObject, upsertDeals } from "./deals";
import { eventFields, recordOrderEvents, taskObject } from "./order-events";
import { accountBody, accountExternalId, accountObject, contactBody, contactExternalId, contactObject, orderBody, orderExternalId, orderObject, requiredFields } from "./mapping";
import { queryPages, soqlString } from "./query";
import { salesforceReconciliation } from "./reconcile";

const describeResult = z.object({ fields: z.array(z.object({ name: z.string() })) });
const contactRow = z.object({ Id: z.string(), [contactExternalId]: z.string().nullable().optional() }).catchall(z.unknown());
const personFields = `Id, ${contactExternalId}, FirstName, LastName, Email, Phone, AccountId, Account.${accountExternalId}, HasOptedOutOfEmail, CT_Last_Purchase_Date__c, LastModifiedDate`;
/** Contacts answering one email or external ID: a page or two at most; more is a runaway. */
const maxPersonPages = 10;

/** Every field the writes set, by object: the contact, account and order fields, and those of carts' opportunities and the timeline's tasks. */
const schemaFields: Record<string, string[]> = { ...requiredFields, [opportunityObject]: dealFields, [taskObject]: eventFields };

/** We never create metadata in the merchant's org: describe tells whether what we write is installed. */
async function verifySchema(api: SalesforceApi, ctx: CallContext): Promise<void> {
  const missing: string[] = [];
  for (const [object, fields] of Object.entries(schemaFields)) {
    try {
      const described = await api.http.json(ctx, { method: "GET", path: `${api.data}/sobjects/${object}/describe` }, describeResult);
      const present = new Set(described.fields.map((f) => f.name));
      missing.push(...fields.filter((f) => !present.has(f)).map((f) => `${object}.${f}`));
    } catch (error) {
      if (error instanceof SyncError && error.errorClass === "not_found") missing.push(object);
      else throw error;
    }
  }
  if (missing.length) {
    throw new SyncError({
      errorClass: "validation",
      message: `The Salesforce org lacks what ct-crm-sync writes: ${missing.join(", ")} (install them, see the Salesforce adapter README)`,
    });
  }
}

/** The outbound side: upserts by external ID through sObject Collections (people, companies, orders, carts' opportunities, the timeline's tasks), a Bulk API 2.0 path for backfills, SOQL reads. */
export function salesforceAdapter(api: SalesforceApi, limits: CrmLimits, clock: Clock): CrmAdapter {
  // One check serves every caller, so it runs under a context of its own: one caller giving up must not fail the others.
  const schema = new SingleFlight(() => verifySchema(api, { correlationId: "salesforce-schema-check" }));
  const people = (records: Person[]) => records.map((p) => ({ sourceId: p.sourceId, body: contactBody(p) }));
  const bulkTarget = { api, clock, object: contactObject, externalIdField: contactExternalId };

  return {
    name: "salesforce",
    limits,
    bulk: { threshold: bulkThreshold, upsertPeople: (records, ctx) => bulkUpsert(bulkTarget, people(records), ctx) },
    reconcile: salesforceReconciliation(api),
    budget: api.budget,
    ensureSchema: () => schema.get(),

    async upsertCompanies(records: Company[], ctx) {
      const outcomes: WriteOutcome[] = new Array(records.length);
      for (const generation of generations(records)) {
        const items = generation.map((i) => ({ sourceId: records[i]!.sourceId, body: accountBody(records[i]!) }));
        const results = await upsertCollection(api, accountObject, accountExternalId, items, ctx);
        generation.forEach((index, k) => (outcomes[index] = results[k]!));
      }
      return outcomes;
    },

    upsertPeople: (records, ctx) => upsertCollection(api, contactObject, contactExternalId, people(records), ctx),

    upsertDeals: (records, ctx) => upsertDeals(api, records, ctx),

    recordOrderEvents: (events, ctx) => recordOrderEvents(api, events, ctx),

    upsertOrders: (records, ctx) => upsertCollection(api, orderObject, orderExternalId, records.map((o) => ({ sourceId: o.sourceId, body: orderBody(o) })), ctx),

    async findPeople(query, ctx): Promise<CrmRecord[]> {
      const where = "sourceId" in query ? `${contactExternalId} = ${soqlString(query.sourceId)}` : `Email = ${soqlString(query.email)}`;
      const soql = `SELECT ${personFields} FROM ${contactObject} WHERE ${where} ORDER BY CreatedDate`;
      const rows = await readAll(queryPages(api, soql, contactRow, ctx), { maxPages: maxPersonPages, atCap: "fail" });
      return rows.map(({ attributes: _attributes, ...fields }) => {
        const sourceId = fields[contactExternalId];
        return sourceId ? { crmId: fields.Id, sourceId, fields } : { crmId: fields.Id, fields };
      });
    },
  };
}
