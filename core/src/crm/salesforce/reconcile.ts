import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { Company, OrderActivity, Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, ReconciledKind, SyncedPerson, SyncedRecord } from "../../ports/crm-outbound";
import type { SalesforceApi } from "./api";
import {
  accountBody,
  accountExternalId,
  accountObject,
  contactBody,
  contactExternalId,
  contactObject,
  orderBody,
  orderExternalId,
  orderObject,
  type SObjectBody,
} from "./mapping";
import { isoInstant, queryPages, rowsWhereIn, soqlString } from "./query";

/**
 * Fields compared by reconciliation, per object: the ones our upserts set.
 * Values are normalised the same way on both sides (numbers as numbers,
 * datetimes as ISO instants, emails lower-case) so the org's rendering is not drift.
 */
const personCompared = [
  ...["FirstName", "LastName", "Email", "Phone", "MailingStreet", "MailingCity", "MailingPostalCode", "MailingState", "MailingCountry"],
  ...["CT_Roles__c", "CT_Locale__c", "HasOptedOutOfEmail", "CT_Last_Purchase_Date__c", "CT_Lifetime_Value__c", "CT_Order_Count__c"],
];
const companyCompared = ["Name", "CT_Business_Unit_Key__c", "CT_Unit_Type__c"];
const orderCompared = ["Name", "CT_Total__c", "CT_Currency__c", "CT_Order_State__c", "CT_Payment_State__c", "CT_Shipment_State__c"];

/** The parent's commercetools ID, read through the relationship the upsert set. */
const personCompany = `Account.${accountExternalId}`;
const companyParent = `Parent.${accountExternalId}`;

function normalise(field: string, value: unknown): ComparableValue {
  if (value === undefined || value === null || value === "") return null;
  switch (field) {
    case "CT_Last_Purchase_Date__c":
      return isoInstant(value) ?? String(value);
    case "CT_Lifetime_Value__c":
    case "CT_Order_Count__c":
    case "CT_Total__c":
      return Math.round(Number(value) * 100) / 100;
    case "HasOptedOutOfEmail":
      return value === true || value === "true";
    case "Email":
      return String(value).toLowerCase();
    default:
      return typeof value === "string" ? value : String(value);
  }
}

/** What a write sends for the compared fields (those it leaves alone are absent), normalised. */
function written(body: SObjectBody, fields: string[]): Record<string, ComparableValue> {
  const values: Record<string, ComparableValue> = {};
  for (const field of fields) if (body[field] !== undefined) values[field] = normalise(field, body[field]);
  return values;
}

/** One synced object: its external ID, compared fields and the parent read through a relationship. */
type SyncedObject = { object: string; keyField: string; compared: string[]; parent?: { path: string; relationship: string } };

const synced: Record<ReconciledKind, SyncedObject> = {
  person: { object: contactObject, keyField: contactExternalId, compared: personCompared, parent: { path: personCompany, relationship: "Account" } },
  company: { object: accountObject, keyField: accountExternalId, compared: companyCompared, parent: { path: companyParent, relationship: "Parent" } },
  // An order's record is keyed by the commercetools order ID itself.
  order: { object: orderObject, keyField: orderExternalId, compared: orderCompared },
};

const selectOf = ({ keyField, compared, parent }: SyncedObject) => ["Id", keyField, ...(parent ? [parent.path] : []), ...compared].join(", ");

const syncedRow = z.object({ Id: z.string() }).catchall(z.unknown());
const parentRow = z.record(z.string(), z.unknown()).nullable().optional();

/** A queried row as a synced record: its commercetools ID and the compared values, the parent's ID among them. */
function toRecord(kind: SyncedObject, row: z.infer<typeof syncedRow>): SyncedRecord {
  const values: Record<string, ComparableValue> = {};
  for (const field of kind.compared) values[field] = normalise(field, row[field]);
  if (kind.parent) {
    const parent = parentRow.safeParse(row[kind.parent.relationship]);
    const parentId = parent.success ? parent.data?.[accountExternalId] : undefined;
    values[kind.parent.path] = typeof parentId === "string" ? parentId : null;
  }
  const sourceId = row[kind.keyField];
  return { crmId: row.Id, sourceId: typeof sourceId === "string" ? sourceId : "", values };
}

/** Contacts carrying a customer ID, in external-ID order, a SOQL page (2,000) a call. */
const peoplePageSize = 2_000;

/**
 * The listing's cursor: the last contact answered (its customer ID, then its
 * Id, for duplicates an org may hold). A position in the data rather than a
 * query locator: locators expire after 15 minutes idle, this survives
 * between scheduled runs.
 */
const cursorSchema = z.tuple([z.string(), z.string().regex(/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/)]);
function readCursor(cursor: string): z.infer<typeof cursorSchema> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    parsed = undefined;
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success) throw new SyncError({ errorClass: "validation", code: "INVALID_QUERY_LOCATOR", message: "not a cursor of the Salesforce contact listing" });
  return result.data;
}

export function salesforceReconciliation(api: SalesforceApi): CrmReconciliation {
  return {
    expectedPersonValues(person: Person) {
      const values = written(contactBody(person), personCompared);
      // The upsert always sets the account relationship when the person has a company.
      if (person.companySourceId) values[personCompany] = person.companySourceId;
      return values;
    },

    expectedValues(record: Company | OrderActivity) {
      if (record.kind === "order") return written(orderBody(record), orderCompared);
      const values = written(accountBody(record), companyCompared);
      if (record.parentSourceId) values[companyParent] = record.parentSourceId;
      return values;
    },

    // One SOQL query per 100 IDs (an IN list), whatever the kind: every record carrying them, duplicates included.
    async readSynced(kind: ReconciledKind, sourceIds: string[], ctx: CallContext) {
      const object = synced[kind];
      const rows = await rowsWhereIn(api, { select: selectOf(object), object: object.object, keyField: object.keyField }, sourceIds, syncedRow, ctx);
      return rows.map((row) => toRecord(object, row));
    },

    // Keyset pages by customer ID: O(N / 2000) calls, and a cursor that does not expire.
    async listPeople(cursor: string | undefined, ctx: CallContext) {
      const object = synced.person;
      const after = cursor ? readCursor(cursor) : undefined;
      const from = after
        ? `${contactExternalId} > ${soqlString(after[0])} OR (${contactExternalId} = ${soqlString(after[0])} AND Id > ${soqlString(after[1])})`
        : `${contactExternalId} != null`;
      const soql = `SELECT ${selectOf(object)} FROM ${contactObject} WHERE ${from} ORDER BY ${contactExternalId}, Id LIMIT ${peoplePageSize}`;
      // Only the first page is read: the next call starts after its last row (the org may answer fewer rows a page than asked).
      const page = await queryPages(api, soql, syncedRow, ctx)(undefined);
      const people: SyncedPerson[] = page.items.map((row) => toRecord(object, row));
      const last = people.at(-1);
      const more = page.next !== undefined || people.length === peoplePageSize;
      return more && last ? { people, cursor: JSON.stringify([last.sourceId, last.crmId]) } : { people };
    },

    async deletePerson(crmId: string, ctx: CallContext) {
      try {
        await api.http.send(ctx, { method: "DELETE", path: `${api.data}/sobjects/${contactObject}/${encodeURIComponent(crmId)}` });
      } catch (error) {
        if (!(error instanceof SyncError && error.errorClass === "not_found")) throw error;
      }
    },
  };
}
