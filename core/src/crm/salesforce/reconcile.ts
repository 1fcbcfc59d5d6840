import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, SyncedPerson } from "../../ports/crm-outbound";
import type { SalesforceApi } from "./api";
import { accountExternalId, contactBody, contactExternalId, contactObject } from "./mapping";
import { isoInstant, queryPages } from "./query";

/**
 * Contact fields compared by reconciliation: the ones our upsert sets. Values
 * are normalised the same way on both sides (numbers as numbers, datetimes as
 * ISO instants, emails lower-case) so the org's rendering is not drift.
 */
const compared = [
  ...["FirstName", "LastName", "Email", "Phone", "MailingStreet", "MailingCity", "MailingPostalCode", "MailingState", "MailingCountry"],
  ...["CT_Roles__c", "CT_Locale__c", "HasOptedOutOfEmail", "CT_Last_Purchase_Date__c", "CT_Lifetime_Value__c", "CT_Order_Count__c"],
];
const companyField = `Account.${accountExternalId}`;

function normalise(field: string, value: unknown): ComparableValue {
  if (value === undefined || value === null || value === "") return null;
  switch (field) {
    case "CT_Last_Purchase_Date__c":
      return isoInstant(value) ?? String(value);
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
    [contactExternalId]: z.string().nullable().optional(),
    Account: z.object({ [accountExternalId]: z.string().nullable().optional() }).nullable().optional(),
  })
  .catchall(z.unknown());
const soql = `SELECT Id, ${contactExternalId}, ${companyField}, ${compared.join(", ")} FROM ${contactObject} WHERE ${contactExternalId} != null ORDER BY ${contactExternalId}`;

export function salesforceReconciliation(api: SalesforceApi): CrmReconciliation {
  return {
    expectedPersonValues(person: Person) {
      const body = contactBody(person);
      const values: Record<string, ComparableValue> = {};
      for (const field of compared) if (body[field] !== undefined) values[field] = normalise(field, body[field]);
      // The upsert always sets the account relationship when the person has a company.
      if (person.companySourceId) values[companyField] = person.companySourceId;
      return values;
    },

    // One SOQL query, paged by the org's cursor (2,000 rows a page): O(N / 2000) calls.
    async listPeople(cursor: string | undefined, ctx: CallContext) {
      const page = await queryPages(api, soql, row, ctx)(cursor);
      const people: SyncedPerson[] = page.items.map((r) => {
        const values: Record<string, ComparableValue> = {};
        for (const field of compared) values[field] = normalise(field, r[field]);
        values[companyField] = r.Account?.[accountExternalId] ?? null;
        return { crmId: r.Id, sourceId: r[contactExternalId] ?? "", values };
      });
      return page.next ? { people, cursor: page.next } : { people };
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
