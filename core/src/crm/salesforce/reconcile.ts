import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, SyncedPerson } from "../../ports/crm-outbound";
import type { SalesforceClient } from "./client";
import { accountExternalId, contactBody, contactExternalId, contactObject } from "./mapping";

/**
 * Contact fields compared by reconciliation: the ones our upsert sets. Values
 * are normalised the same way on both sides (numbers as numbers, datetimes as
 * ISO instants, emails lower-case) so the org's rendering is not drift.
 */
const compared = [
  "FirstName",
  "LastName",
  "Email",
  "Phone",
  "MailingStreet",
  "MailingCity",
  "MailingPostalCode",
  "MailingState",
  "MailingCountry",
  "CT_Roles__c",
  "CT_Locale__c",
  "HasOptedOutOfEmail",
  "CT_Last_Purchase_Date__c",
  "CT_Lifetime_Value__c",
  "CT_Order_Count__c",
] as const;
const companyField = "Account.CT_Business_Unit_Id__c";

function normalise(field: string, value: unknown): ComparableValue {
  if (value === undefined || value === null || value === "") return null;
  switch (field) {
    case "CT_Last_Purchase_Date__c": {
      const t = Date.parse(String(value).replace(/\+0000$/, "Z"));
      return Number.isNaN(t) ? String(value) : new Date(t).toISOString();
    }
    case "CT_Lifetime_Value__c":
    case "CT_Order_Count__c":
      return Math.round(Number(value) * 100) / 100;
    case "HasOptedOutOfEmail":
      return value === true || value === "true";
    case "Email":
      return String(value).toLowerCase();
    default:
      return typeof value === "string" ? value : String(value);
  }
}

const row = z
  .object({
    Id: z.string(),
    CT_Customer_Id__c: z.string().nullable().optional(),
    Account: z.object({ CT_Business_Unit_Id__c: z.string().nullable().optional() }).nullable().optional(),
  })
  .catchall(z.unknown());
const page = z.object({ done: z.boolean(), nextRecordsUrl: z.string().optional(), records: z.array(row) });

export function salesforceReconciliation(client: SalesforceClient, lastNamePlaceholder: string | null): CrmReconciliation {
  return {
    expectedPersonValues(person: Person) {
      const body = contactBody(person, lastNamePlaceholder);
      const values: Record<string, ComparableValue> = {};
      for (const field of compared) if (body[field] !== undefined) values[field] = normalise(field, body[field]);
      // The upsert always sets the account relationship when the person has a company.
      if (person.companySourceId) values[companyField] = person.companySourceId;
      return values;
    },

    async listPeople(cursor: string | undefined, ctx: CallContext) {
      // One SOQL query, paged by the server's cursor (2,000 rows a page): O(N / 2000) calls.
      const soql = `SELECT Id, ${contactExternalId}, Account.${accountExternalId}, ${compared.join(", ")} FROM ${contactObject} WHERE ${contactExternalId} != null ORDER BY ${contactExternalId}`;
      const path = cursor ?? `/query?q=${encodeURIComponent(soql)}`;
      const answer = await client.json({ method: "GET", path }, page, ctx);
      const people: SyncedPerson[] = answer.records.map((r) => {
        const values: Record<string, ComparableValue> = {};
        for (const field of compared) values[field] = normalise(field, r[field]);
        values[companyField] = r.Account?.CT_Business_Unit_Id__c ?? null;
        return { crmId: r.Id, sourceId: r.CT_Customer_Id__c ?? "", values };
      });
      return answer.done || !answer.nextRecordsUrl ? { people } : { people, cursor: answer.nextRecordsUrl };
    },

    async deletePerson(crmId: string, ctx: CallContext) {
      try {
        await client.text({ method: "DELETE", path: `/sobjects/${contactObject}/${encodeURIComponent(crmId)}` }, ctx);
      } catch (error) {
        if (!(error instanceof SyncError && error.errorClass === "not_found")) throw error;
      }
    },
  };
}
