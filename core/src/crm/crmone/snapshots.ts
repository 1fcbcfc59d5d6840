import type { CrmDealSnapshot, CrmSnapshot } from "../../ports/crm-inbound";
import { type CrmOneRecord, isoTimestamp, text } from "./api";
import { accountFields, contactFields } from "./fields";
import { addressParts, segmentsOf } from "./mapping";

const nullable = (record: CrmOneRecord, field: string) => text(record, field)?.trim() || null;

/** The address in canonical paths; the country from the ISO code field, else the text one. */
function addressOf(record: CrmOneRecord, prefix: "primary" | "billing"): Record<string, string | null> {
  const fields: Record<string, string | null> = {};
  for (const [suffix, part] of addressParts) fields[`address.${part}`] ??= nullable(record, `${prefix}_address_${suffix}`);
  return fields;
}

/** 1CRM's won and lost stages (its sales_stage dropdown); every other stage is open. */
const dealStatus = (stage: string | undefined): CrmDealSnapshot["deal"]["status"] => (stage === "Closed Won" ? "won" : stage === "Closed Lost" ? "lost" : "open");

const compact = <T extends Record<string, unknown>>(data: T) => Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as T;

/**
 * A record read back by ID, in canonical terms: standard fields under their
 * mapping source paths, every field under its own name for CRM-owned mapped
 * fields (1CRM's field names are the mapping targets), the follow-up flag
 * (`ct_follow_up`) and the segments (the contact's categories, our own
 * `store:`/`locale:` ones left out). The phone is the mobile one, else the
 * work one (the adapter writes one of them); consent is `email_opt_out`.
 */
export function snapshotOf(entity: CrmSnapshot["entity"], record: CrmOneRecord): CrmSnapshot {
  const modifiedAt = isoTimestamp(record.date_modified);
  if (!modifiedAt) throw new Error("CRM One record without date_modified");
  const base = { crmId: record.id, modifiedAt, crmFields: { ...record } };
  switch (entity) {
    case "person": {
      const sourceId = text(record, contactFields.customerId);
      const companyCrmId = text(record, "primary_account_id");
      return {
        entity,
        ...base,
        ...(sourceId ? { sourceId } : {}),
        fields: {
          firstName: nullable(record, "first_name"),
          lastName: nullable(record, "last_name"),
          email: nullable(record, "email1"),
          phone: nullable(record, "phone_mobile") ?? nullable(record, "phone_work"),
          ...addressOf(record, "primary"),
          ...(typeof record.email_opt_out === "boolean" ? { "emailConsent.granted": !record.email_opt_out } : {}),
        },
        followUp: record[contactFields.followUp] === true,
        segments: [...new Set(segmentsOf(record.categories))],
        ...(companyCrmId ? { companyCrmId } : {}),
      };
    }
    case "company": {
      const sourceId = text(record, accountFields.businessUnitId);
      return { entity, ...base, ...(sourceId ? { sourceId } : {}), fields: { name: nullable(record, "name"), email: nullable(record, "email1"), ...addressOf(record, "billing") } };
    }
    case "deal": {
      const currency = text(record, "currency");
      return {
        entity,
        ...base,
        // 1CRM opportunities carry no product lines and no contact: `lines` and `personCrmId` stay absent.
        deal: compact({
          name: text(record, "name"),
          stage: text(record, "sales_stage"),
          status: dealStatus(text(record, "sales_stage")),
          amount: typeof record.amount === "number" ? record.amount : undefined,
          currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined,
          companyCrmId: text(record, "account_id"),
        }),
      };
    }
  }
}
