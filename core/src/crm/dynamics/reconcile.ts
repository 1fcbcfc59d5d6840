import { z } from "zod";
import type { Company, OrderActivity, Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, ReconciledKind, SyncedPerson, SyncedRecord } from "../../ports/crm-outbound";
import { unlessGone } from "../kit/gone";
import type { DataverseApi } from "./api";
import { accountBody, contactBody, type DataverseRow, orderBody, tables } from "./mapping";
import { byId, queryPages, rowsByValues } from "./odata";

/**
 * Contact columns compared by reconciliation: the ones our upsert sets,
 * normalised alike on both sides (numbers to cents, emails in lower case,
 * dates as the org renders them) so the org's rendering is not drift.
 */
const compared = [
  ...["firstname", "lastname", "emailaddress1", "telephone1", "address1_line1", "address1_city", "address1_postalcode", "address1_stateorprovince", "address1_country"],
  ...["ct_roles", "ct_locale", "ct_storekeys", "ct_customergroup", "donotbulkemail", "ct_lastpurchasedate", "ct_ordercount", "ct_lifetimevalue"],
];

/** Account and order columns compared the same way: the ones their upserts set that Sales sees. */
const companyCompared = ["name", "emailaddress1", "address1_line1", "address1_city", "address1_postalcode", "address1_country", "ct_businessunitkey", "ct_unittype", "ct_storekeys"];
const orderCompared = ["ct_ordernumber", "ct_total", "ct_currency", "ct_orderstate", "ct_paymentstate", "ct_shipmentstate"];

/** Where each reconciled kind lives and which of its columns are compared. */
const kinds: Record<ReconciledKind, { table: { entitySet: string; primaryKey: string; key: string }; columns: string[] }> = {
  person: { table: tables.contact, columns: compared },
  company: { table: tables.account, columns: companyCompared },
  order: { table: tables.order, columns: orderCompared },
};

function normalise(column: string, value: unknown): ComparableValue {
  if (value === undefined || value === null || value === "") return null;
  switch (column) {
    case "ct_total":
    case "ct_ordercount":
    case "ct_lifetimevalue":
      return Math.round(Number(value) * 100) / 100;
    case "donotbulkemail":
      return value === true;
    case "emailaddress1":
      return String(value).toLowerCase();
    default:
      return typeof value === "string" ? value : String(value);
  }
}

/** The compared columns a write body sets, normalised (columns the write leaves alone are not compared). */
function written(columns: string[], body: DataverseRow): Record<string, ComparableValue> {
  const values: Record<string, ComparableValue> = {};
  for (const column of columns) if (body[column] !== undefined) values[column] = normalise(column, body[column]);
  return values;
}

const held = (columns: string[], row: Record<string, unknown>) => Object.fromEntries(columns.map((column) => [column, normalise(column, row[column])]));

const row = z.looseObject({ contactid: z.string(), ct_customerid: z.string() });
/** Rows a page: Dataverse's largest page is 5,000; a thousand keeps each answer small. */
const pageSize = 1000;

/** Dynamics: synced contacts (those with a commercetools ID) page by page in key order, through `@odata.nextLink`. */
export function dynamicsReconciliation(api: DataverseApi): CrmReconciliation {
  const request = {
    entitySet: tables.contact.entitySet,
    query: { $select: ["contactid", tables.contact.key, ...compared].join(","), $filter: `${tables.contact.key} ne null`, $orderby: `${tables.contact.key} asc` },
    pageSize,
  };
  return {
    expectedPersonValues: (person: Person) => written(compared, contactBody(person)),

    expectedValues: (record: Company | OrderActivity) =>
      record.kind === "company" ? written(companyCompared, accountBody(record)) : written(orderCompared, orderBody(record)),

    /** One `In` query per hundred IDs, every row carrying them (a second row for one ID is a duplicate an admin's import made). */
    async readSynced(kind: ReconciledKind, sourceIds: string[], ctx: CallContext): Promise<SyncedRecord[]> {
      const { table, columns } = kinds[kind];
      const keyed = z.looseObject({ [table.primaryKey]: z.string(), [table.key]: z.string() });
      const rows = await rowsByValues(api, { entitySet: table.entitySet, column: table.key, values: sourceIds, select: [table.primaryKey, table.key, ...columns] }, keyed, ctx);
      return rows.map((r) => ({ crmId: String(r[table.primaryKey]), sourceId: String(r[table.key]), values: held(columns, r) }));
    },

    async listPeople(cursor: string | undefined, ctx: CallContext) {
      const page = await queryPages(api, request, row, ctx)(cursor);
      const people: SyncedPerson[] = page.items.map((r) => ({
        crmId: r.contactid,
        sourceId: r.ct_customerid,
        values: held(compared, r),
      }));
      return page.next ? { people, cursor: page.next } : { people };
    },

    async deletePerson(crmId: string, ctx: CallContext) {
      await unlessGone(api.http.send(ctx, { method: "DELETE", path: byId(tables.contact.entitySet, crmId) }));
    },
  };
}
