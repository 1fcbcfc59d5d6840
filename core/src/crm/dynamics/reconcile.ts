import { z } from "zod";
import type { Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, SyncedPerson } from "../../ports/crm-outbound";
import { unlessGone } from "../kit/gone";
import type { DataverseApi } from "./api";
import { contactBody, tables } from "./mapping";
import { byId, queryPages } from "./odata";

/**
 * Contact columns compared by reconciliation: the ones our upsert sets,
 * normalised alike on both sides (numbers to cents, emails in lower case,
 * dates as the org renders them) so the org's rendering is not drift.
 */
const compared = [
  ...["firstname", "lastname", "emailaddress1", "telephone1", "address1_line1", "address1_city", "address1_postalcode", "address1_stateorprovince", "address1_country"],
  ...["ct_roles", "ct_locale", "ct_storekeys", "ct_customergroup", "donotbulkemail", "ct_lastpurchasedate", "ct_ordercount", "ct_lifetimevalue"],
];

function normalise(column: string, value: unknown): ComparableValue {
  if (value === undefined || value === null || value === "") return null;
  switch (column) {
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
    expectedPersonValues(person: Person) {
      const body = contactBody(person);
      const values: Record<string, ComparableValue> = {};
      for (const column of compared) if (body[column] !== undefined) values[column] = normalise(column, body[column]);
      return values;
    },

    async listPeople(cursor: string | undefined, ctx: CallContext) {
      const page = await queryPages(api, request, row, ctx)(cursor);
      const people: SyncedPerson[] = page.items.map((r) => ({
        crmId: r.contactid,
        sourceId: r.ct_customerid,
        values: Object.fromEntries(compared.map((column) => [column, normalise(column, r[column])])),
      }));
      return page.next ? { people, cursor: page.next } : { people };
    },

    async deletePerson(crmId: string, ctx: CallContext) {
      await unlessGone(api.http.send(ctx, { method: "DELETE", path: byId(tables.contact.entitySet, crmId) }));
    },
  };
}
