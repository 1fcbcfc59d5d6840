import { z } from "zod";
import { SyncError } from "../../../domain/errors";
import type { CompanyPath, CrmChange, CrmEntity, CrmInbound, CrmSnapshot, PersonPath } from "../../../ports/crm-inbound";
import type { CallContext } from "../../../ports/crm-outbound";
import type { SalesforceApi } from "../api";
import { dealExternalId, opportunityObject } from "../deals";
import { accountExternalId, accountObject, contactExternalId, contactObject } from "../mapping";
import { isoInstant, queryPages, soqlString } from "../query";

/** The org's objects behind each canonical entity. */
const objects: Record<CrmEntity, string> = { person: contactObject, company: accountObject, deal: opportunityObject };

/** Contact fields under the canonical paths of the mapping configuration. */
const personFields: Record<Exclude<PersonPath, "emailConsent.granted">, string> = {
  firstName: "FirstName",
  lastName: "LastName",
  email: "Email",
  phone: "Phone",
  "address.streetLine": "MailingStreet",
  "address.city": "MailingCity",
  "address.postalCode": "MailingPostalCode",
  "address.region": "MailingState",
  "address.country": "MailingCountry",
};
const companyFields: Record<CompanyPath, string | undefined> = {
  name: "Name",
  // Accounts have no email of their own.
  email: undefined,
  "address.streetLine": "BillingStreet",
  "address.city": "BillingCity",
  "address.postalCode": "BillingPostalCode",
  "address.region": "BillingState",
  "address.country": "BillingCountry",
};
/** The follow-up checkbox and segments multi-select the merchant installs on Contact (README.md). */
export const followUpField = "CT_Follow_Up__c";
export const segmentsField = "CT_Segments__c";

const entityByObject = new Map(Object.entries(objects).map(([entity, object]) => [object, entity as CrmEntity]));
export const entityOf = (object: string) => entityByObject.get(object);

/** A record as `GET /sobjects/<object>/<id>` answers it: every field the integration user may read. */
const record = z.looseObject({ Id: z.string(), SystemModstamp: z.string() });
type SObjectRecord = z.infer<typeof record>;
const row = z.object({ Id: z.string(), SystemModstamp: z.string() }).catchall(z.unknown());
const lineRow = z.object({ ProductCode: z.string().nullable().optional(), Quantity: z.number().nullable().optional() }).catchall(z.unknown());
/** Changes listed a call: one SOQL page. */
const changesPageSize = 2_000;
/** Record Ids are 15 or 18 letters and digits: anything else names no record and is not sent. */
const recordId = /^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/;

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : null);
const idOf = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/** Multi-select picklist values arrive as `a;b`. */
function segmentsOf(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return [...new Set(value.split(";").map((s) => s.trim()).filter((s) => s !== ""))];
}

/** Closed-won and closed-lost by the org's own flags when readable, else by the standard stage names. */
function dealStatus(fields: SObjectRecord): "open" | "won" | "lost" {
  if (typeof fields.IsClosed === "boolean") return fields.IsClosed ? (fields.IsWon === true ? "won" : "lost") : "open";
  return fields.StageName === "Closed Won" ? "won" : fields.StageName === "Closed Lost" ? "lost" : "open";
}

function standard<P extends string>(fields: SObjectRecord, names: Record<P, string | undefined>): Partial<Record<P, string | null>> {
  return Object.fromEntries(Object.entries(names).flatMap(([path, name]) => (name ? [[path, text(fields[name as string])]] : []))) as Partial<Record<P, string | null>>;
}

function snapshotOf(entity: CrmEntity, fields: SObjectRecord, lines: readonly z.infer<typeof lineRow>[]): CrmSnapshot {
  const { attributes: _attributes, ...crmFields } = fields;
  const modifiedAt = isoInstant(fields.SystemModstamp) ?? fields.SystemModstamp;
  const base = { crmId: fields.Id, modifiedAt, crmFields };
  switch (entity) {
    case "person": {
      const sourceId = idOf(fields[contactExternalId]);
      const companyCrmId = idOf(fields.AccountId);
      return {
        entity,
        ...base,
        ...(sourceId ? { sourceId } : {}),
        // The org keeps an opt-out; the canonical record a consent.
        fields: { ...standard(fields, personFields), "emailConsent.granted": fields.HasOptedOutOfEmail !== true },
        followUp: fields[followUpField] === true,
        segments: segmentsOf(fields[segmentsField]),
        ...(companyCrmId ? { companyCrmId } : {}),
      };
    }
    case "company": {
      const sourceId = idOf(fields[accountExternalId]);
      return { entity, ...base, ...(sourceId ? { sourceId } : {}), fields: standard(fields, companyFields) };
    }
    case "deal": {
      // An opportunity carrying a cart key is the sync's own write of a commercetools cart (deals.ts).
      const sourceId = idOf(fields[dealExternalId]);
      const currency = text(fields.CurrencyIsoCode);
      const personCrmId = idOf(fields.ContactId);
      const companyCrmId = idOf(fields.AccountId);
      const products = lines.flatMap((l) => (l.ProductCode && l.Quantity && l.Quantity > 0 ? [{ sku: l.ProductCode, quantity: Math.round(l.Quantity) }] : []));
      return {
        entity,
        ...base,
        ...(sourceId ? { sourceId } : {}),
        deal: {
          ...(text(fields.Name) ? { name: fields.Name as string } : {}),
          ...(text(fields.StageName) ? { stage: fields.StageName as string } : {}),
          status: dealStatus(fields),
          ...(typeof fields.Amount === "number" ? { amount: fields.Amount } : {}),
          ...(currency ? { currency } : {}),
          ...(personCrmId ? { personCrmId } : {}),
          ...(companyCrmId ? { companyCrmId } : {}),
          lines: products,
        },
      };
    }
  }
}

/** The checkpoint of `changesSince`: the last change seen, by modification stamp then Id (several records share a stamp). */
const checkpointOf = (stamp: string, id: string) => `${stamp} ${id}`;

/** Records read back by Id (every field the integration user may read), and changes listed by SystemModstamp for polling. */
export function recordReader(api: SalesforceApi): Pick<CrmInbound, "readRecord" | "changesSince" | "checkpointAt" | "adopt"> {
  return {
    async readRecord(entity: CrmEntity, crmId: string, ctx: CallContext) {
      if (!recordId.test(crmId)) return undefined;
      let fields: SObjectRecord;
      try {
        fields = await api.http.json(ctx, { method: "GET", path: `${api.data}/sobjects/${objects[entity]}/${crmId}` }, record);
      } catch (error) {
        if (error instanceof SyncError && error.errorClass === "not_found") return undefined;
        throw error;
      }
      const lines =
        entity === "deal"
          ? (await queryPages(api, `SELECT ProductCode, Quantity FROM OpportunityLineItem WHERE OpportunityId = ${soqlString(crmId)} ORDER BY CreatedDate`, lineRow, ctx)(undefined)).items
          : [];
      return snapshotOf(entity, fields, lines);
    },

    async changesSince(entity: CrmEntity, checkpoint: string | undefined, ctx: CallContext) {
      const object = objects[entity];
      const [stamp, id] = checkpoint?.split(" ") ?? [];
      // Re-rendered rather than spliced in as stored: what goes into the query unquoted must be a datetime.
      const since = isoInstant(stamp);
      const after = !since ? undefined : id ? `SystemModstamp > ${since} OR (SystemModstamp = ${since} AND Id > ${soqlString(id)})` : `SystemModstamp > ${since}`;
      // The sync's own cart opportunities change with every cart update and are never applied: not listed, not read.
      const conditions = [...(entity === "deal" ? [`${dealExternalId} = null`] : []), ...(after ? [`(${after})`] : [])];
      const where = conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
      const soql = `SELECT Id, SystemModstamp FROM ${object}${where} ORDER BY SystemModstamp, Id LIMIT ${changesPageSize}`;
      const { items } = await queryPages(api, soql, row, ctx)(undefined);
      const changes = items.map((r): CrmChange => {
        const modifiedAt = isoInstant(r.SystemModstamp) ?? r.SystemModstamp;
        return { entity, crmId: r.Id, action: "updated", modifiedAt, deliveryId: `${object}:${r.Id}:${modifiedAt}` };
      });
      const last = changes.at(-1);
      return { changes, checkpoint: last ? checkpointOf(last.modifiedAt!, last.crmId) : checkpoint };
    },

    checkpointAt: (instant) => isoInstant(instant) ?? instant,

    async adopt(_entity, crmId, sourceId, ctx) {
      await api.http.send(ctx, { method: "PATCH", path: `${api.data}/sobjects/${contactObject}/${crmId}`, json: { [contactExternalId]: sourceId } });
    },
  };
}
