import { createHash } from "node:crypto";
import { z } from "zod";
import { type CrmChange, type CrmEntity, type InboundRequest, MalformedDelivery, type ParsedDelivery } from "../../ports/crm-inbound";
import { readJsonDelivery } from "../kit/json-delivery";
import { isoTimestamp } from "./api";
import { models, opportunityFields } from "./fields";

/** The model a subscription is for, from the `model` parameter we put in its URL (1CRM's delivery does not say). */
const entityOfModel: Record<string, CrmEntity> = { [models.person]: "person", [models.company]: "company", [models.deal]: "deal" };

/** What a delivery must carry: the record's ID and its times (the body is the record's fields, the model's schema). */
const deliveredRecord = z.looseObject({
  id: z.string().min(1),
  modified_user_id: z.string().nullish(),
  date_entered: z.string().optional(),
  date_modified: z.string().refine((t) => isoTimestamp(t) !== undefined, "not a time"),
});

/**
 * An opportunity carrying a cart's key is the cart's mirror, written by us
 * and owned by commercetools: whoever changed it last, nothing of it flows
 * back (no loop, even without `CRMONE_USER_ID`).
 */
export const isCartOpportunity = (record: Record<string, unknown>) => typeof record[opportunityFields.dealKey] === "string" && record[opportunityFields.dealKey] !== "";

/** One change of a record, as polling names it: the record at its modification time. */
export const changeKey = (model: string, id: string, modifiedAt: string) => `${model}:${id}:${modifiedAt}`;

/**
 * A 1CRM webhook delivery: an unsigned POST of the changed record's fields,
 * one record a delivery, to the URL of a subscription for one model
 * (`…/webhooks/crmone?model=Contact&secret=…`). It names which record
 * changed and when; the record itself is read back before anything happens.
 * A record created and not changed since has the same entered and modified time.
 * The same delivery sent twice is the same change (same key).
 */
export function parseDelivery(request: InboundRequest, ownUserId?: string): ParsedDelivery {
  const model = request.query.model;
  const entity = model ? entityOfModel[model] : undefined;
  if (!model || !entity) throw new MalformedDelivery(`CRM One delivery for an unknown model (${model ?? "none"}): subscribe with ?model=Contact, Account or Opportunity in the URL`);
  const record = readJsonDelivery(request, deliveredRecord, "CRM One");
  // Our own write coming back: nothing the CRM did.
  if (ownUserId !== undefined && record.modified_user_id === ownUserId) return { changes: [] };
  if (entity === "deal" && isCartOpportunity(record)) return { changes: [] };
  const modifiedAt = isoTimestamp(record.date_modified)!;
  const change: CrmChange = {
    entity,
    crmId: record.id,
    action: record.date_entered === record.date_modified ? "created" : "updated",
    modifiedAt,
    // 1CRM's times are to the second and its deliveries carry no event ID: the record's content tells two changes within a second apart.
    deliveryId: `${changeKey(model, record.id, modifiedAt)}:${createHash("sha256").update(request.rawBody).digest("hex").slice(0, 16)}`,
  };
  return { changes: [change] };
}
