import { z } from "zod";
import type { CrmChange, CrmEntity, CrmInbound, CrmSnapshot } from "../../../ports/crm-inbound";
import type { CallContext } from "../../../ports/crm-outbound";
import type { SalesforceApi } from "../api";
import { accountExternalId, accountObject, contactExternalId, contactObject } from "../mapping";
import { isoInstant, queryPages, soqlString } from "../query";

/**
 * What each entity is in the org: its object, the external ID carrying the
 * commercetools ID, and its fields read back under canonical paths (the
 * mapping configuration's source names); custom fields keep their API names.
 */
const entities: Record<CrmEntity, { object: string; sourceIdField?: string; fields: Record<string, string> }> = {
  person: {
    object: contactObject,
    sourceIdField: contactExternalId,
    fields: {
      ...{ FirstName: "firstName", LastName: "lastName", Email: "email", Phone: "phone", MailingStreet: "address.streetLine", MailingCity: "address.city" },
      ...{ MailingPostalCode: "address.postalCode", MailingState: "address.region", MailingCountry: "address.country" },
      ...{ CT_Follow_Up__c: "CT_Follow_Up__c", CT_Segments__c: "CT_Segments__c" },
    },
  },
  company: { object: accountObject, sourceIdField: accountExternalId, fields: { Name: "name" } },
  deal: { object: "Opportunity", fields: { Name: "name", StageName: "stage", Amount: "amount" } },
};

const entityByObject = new Map(Object.entries(entities).map(([entity, { object }]) => [object, entity as CrmEntity]));
export const entityOf = (object: string) => entityByObject.get(object);

const row = z.object({ Id: z.string(), SystemModstamp: z.string() }).catchall(z.unknown());
/** Changes listed a call: one SOQL page. */
const changesPageSize = 2_000;

function snapshot(entity: CrmEntity, record: z.infer<typeof row>): CrmSnapshot {
  const { sourceIdField, fields: canonical } = entities[entity];
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(canonical).map(([field, path]) => [path, record[field] ?? null]));
  // The org keeps an opt-out; the canonical record a consent.
  if (entity === "person") fields["emailConsent.granted"] = record.HasOptedOutOfEmail !== true;
  const sourceId = sourceIdField ? record[sourceIdField] : undefined;
  const found: CrmSnapshot = { entity, crmId: record.Id, modifiedAt: isoInstant(record.SystemModstamp) ?? record.SystemModstamp, fields };
  return typeof sourceId === "string" ? { ...found, sourceId } : found;
}

/** The checkpoint of `changesSince`: the last change seen, by modification stamp then Id (several records share a stamp). */
const checkpointOf = (stamp: string, id: string) => `${stamp} ${id}`;

/** Records read back by Id, and changes listed by SystemModstamp for polling. */
export function recordReader(api: SalesforceApi): Pick<CrmInbound, "readRecord" | "changesSince"> {
  return {
    async readRecord(entity: CrmEntity, crmId: string, ctx: CallContext) {
      const { object, sourceIdField, fields } = entities[entity];
      const selected = ["Id", "SystemModstamp", ...(sourceIdField ? [sourceIdField] : []), ...Object.keys(fields), ...(entity === "person" ? ["HasOptedOutOfEmail"] : [])];
      const soql = `SELECT ${selected.join(", ")} FROM ${object} WHERE Id = ${soqlString(crmId)} LIMIT 1`;
      const [found] = (await queryPages(api, soql, row, ctx)(undefined)).items;
      return found ? snapshot(entity, found) : undefined;
    },

    async changesSince(entity: CrmEntity, checkpoint: string | undefined, ctx: CallContext) {
      const { object } = entities[entity];
      const [stamp, id] = checkpoint?.split(" ") ?? [];
      // Re-rendered rather than spliced in as stored: what goes into the query unquoted must be a datetime.
      const since = isoInstant(stamp);
      const after = since && id ? ` WHERE SystemModstamp > ${since} OR (SystemModstamp = ${since} AND Id > ${soqlString(id)})` : "";
      const soql = `SELECT Id, SystemModstamp FROM ${object}${after} ORDER BY SystemModstamp, Id LIMIT ${changesPageSize}`;
      const { items } = await queryPages(api, soql, row, ctx)(undefined);
      const changes = items.map((r): CrmChange => {
        const modifiedAt = isoInstant(r.SystemModstamp) ?? r.SystemModstamp;
        return { entity, crmId: r.Id, action: "updated", modifiedAt, deliveryId: `${object}:${r.Id}:${modifiedAt}` };
      });
      const last = changes.at(-1);
      return { changes, checkpoint: last ? checkpointOf(last.modifiedAt!, last.crmId) : checkpoint };
    },
  };
}
