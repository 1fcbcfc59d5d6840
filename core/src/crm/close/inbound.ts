import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { SyncError } from "../../domain/errors";
import { cartDealKey } from "../../domain/keys";
import { type CrmChange, type CrmDealSnapshot, type CrmEntity, type CrmInbound, type CrmSnapshot, type InboundRequest, MalformedDelivery, type Refusal } from "../../ports/crm-inbound";
import type { Transport } from "../kit/transport";
import { unlessGone } from "../kit/gone";
import { listAll, loadedOnce, send } from "./connection";
import { closeChanges } from "./changes";
import { idOnlySchema } from "./schemas";
import { customFieldsByName } from "./schema-setup";
import { contactFields, customKey, leadFields } from "./field-names";
import { addressKeys, compact, customValueKey, firstOf } from "./mapping";

/** A delivery older or newer than this, by its signed timestamp, is refused: a replayed request is not fresh. */
const maxSkewSeconds = 5 * 60;

/**
 * Close's webhook signature: `close-sig-hash` = hex HMAC-SHA256, keyed with
 * the hex-decoded `signature_key` of the subscription, over
 * `close-sig-timestamp` (Unix seconds) followed by the raw body.
 */
function verifySignature(signatureKey: string | undefined, request: InboundRequest): Refusal | undefined {
  const refuse = (reason: string): Refusal => ({ status: 401, reason });
  if (!signatureKey) return refuse("no Close webhook signature key is configured");
  const hash = request.headers["close-sig-hash"];
  const timestamp = request.headers["close-sig-timestamp"];
  if (!hash || !/^[0-9a-fA-F]{64}$/.test(hash)) return refuse("close-sig-hash missing or malformed");
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return refuse("close-sig-timestamp missing or malformed");
  if (Math.abs(request.receivedAt.getTime() / 1000 - Number(timestamp)) > maxSkewSeconds) return refuse("close-sig-timestamp too far from now");
  const expected = createHmac("sha256", Buffer.from(signatureKey, "hex")).update(timestamp).update(request.rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, "hex"))) return refuse("close-sig-hash does not match");
  return undefined;
}

/**
 * Close's times (`2026-01-01T00:00:00.123456+00:00`) as the port's UTC ISO
 * form, so a delivery's and a record's compare, keeping their microseconds:
 * two changes of one record within a millisecond stay in order.
 */
const closeTime = z
  .string()
  .refine((t) => !Number.isNaN(Date.parse(t)), "not a time")
  .transform((t) => {
    const utc = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,9})?(Z|\+00:00)$/.exec(t);
    return utc ? `${utc[1]}${utc[2] ?? ".000"}Z` : new Date(t).toISOString();
  });

const deliverySchema = z.object({
  event: z.looseObject({ id: z.string().min(1), object_type: z.string(), object_id: z.string().min(1), action: z.string(), date_updated: closeTime.optional() }),
  subscription_id: z.string().optional(),
});

/** A B2C lead holds one person's figures and a unit's lead the unit: a lead changed in Close is read as the company it may be. */
const entityOf: Record<string, CrmEntity> = { contact: "person", lead: "company", opportunity: "deal" };
const actions = ["created", "updated", "deleted"] as const;

/** Custom values of our cart opportunities start so (`cartDealKey`). */
const cartKeyPrefix = cartDealKey("");

/**
 * An opportunity carrying a cart's deal key is the adapter's own write: a
 * change of it is never a CRM change (the cart is commercetools'). Told by the
 * event's own copy of the object, which can only make us ignore the event.
 */
function isOwnCartOpportunity(event: { object_type: string; data?: unknown; previous_data?: unknown }): boolean {
  if (event.object_type !== "opportunity") return false;
  const carriesKey = (data: unknown) =>
    typeof data === "object" && data !== null && Object.entries(data).some(([key, value]) => key.startsWith("custom.") && typeof value === "string" && value.startsWith(cartKeyPrefix));
  return carriesKey(event.data) || carriesKey(event.previous_data);
}

function parseDelivery(request: InboundRequest): { changes: CrmChange[] } {
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    throw new MalformedDelivery("Close delivery is not JSON");
  }
  const parsed = deliverySchema.safeParse(body);
  if (!parsed.success) throw new MalformedDelivery(`Close delivery has an unexpected shape at ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  const { event } = parsed.data;
  const entity = entityOf[event.object_type];
  const action = actions.find((a) => a === event.action);
  // Other objects (tasks, emails, calls) and actions (merged, sent): nothing of ours changed; acknowledged as they are.
  if (!entity || !action || isOwnCartOpportunity(event)) return { changes: [] };
  return { changes: [{ entity, crmId: event.object_id, action, deliveryId: event.id, ...(event.date_updated ? { modifiedAt: event.date_updated } : {}) }] };
}

const recordSchema = z.looseObject({ id: z.string(), date_updated: closeTime });
type CloseRecord = z.infer<typeof recordSchema>;

const paths: Record<CrmEntity, string> = { person: "/contact/", company: "/lead/", deal: "/opportunity/" };

/** Custom field IDs of a scope by name (the oldest of a name, as the adapter adopts), kept a few minutes: merchants add fields. */
const fieldCatalogue = (transport: Transport, scope: "contact" | "lead") =>
  loadedOnce(async (ctx) => new Map([...(await customFieldsByName({ transport, ctx }, scope))].map(([name, [oldest]]) => [name, oldest!.id])), 5 * 60_000);

function splitName(name: string | undefined): { firstName?: string; lastName?: string } {
  const [firstName, ...rest] = (name ?? "").trim().split(/\s+/);
  if (!firstName) return {};
  return rest.length > 0 ? { firstName, lastName: rest.join(" ") } : { lastName: firstName };
}

/** Every custom value of the record under its custom field's name, not its ID. */
function customValuesByName(record: CloseRecord, byName: Map<string, string>): Record<string, unknown> {
  return Object.fromEntries([...byName].flatMap(([name, id]) => (customKey(id) in record ? [[name, record[customKey(id)]]] : [])));
}

/** The record's custom values under the keys mapping targets use for them (`custom.cf_<id>`). */
const customValues = (record: CloseRecord) => Object.fromEntries(Object.entries(record).filter(([key]) => customValueKey.test(key)));

/** The follow-up and segments fields the admin adds to contacts (README.md): by name, as Close has no checkbox type. */
export const followUpFieldName = "ct_follow_up";
export const segmentsFieldName = "ct_segments";

/** A choices field answering "Yes", or a text field holding yes/true/1/x: set. */
const followUpOf = (value: unknown) => value === true || (typeof value === "string" && /^(yes|true|1|x)$/i.test(value.trim()));

/** A multiple-choice field answers a list; a text field holds `a; b` or `a, b`. */
function segmentsOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[;,]/) : [];
  return [...new Set(items.filter((s): s is string => typeof s === "string").map((s) => s.trim()).filter((s) => s !== ""))];
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);
const nullable = (value: unknown) => text(value) ?? null;

/** Close keeps opportunity status types active, won and lost. */
const dealStatus = (statusType: unknown) => (statusType === "won" ? "won" : statusType === "lost" ? "lost" : "open");

function snapshotOf(entity: CrmEntity, record: CloseRecord, custom: Record<string, unknown>, leadContact: string | undefined): CrmSnapshot {
  const base = { crmId: record.id, modifiedAt: record.date_updated, crmFields: customValues(record) };
  switch (entity) {
    case "person": {
      const sourceId = text(custom[contactFields.customerId.name]);
      const { firstName, lastName } = splitName(text(record.name));
      const companyCrmId = text(record.lead_id);
      return {
        entity,
        ...base,
        ...(sourceId ? { sourceId } : {}),
        fields: { firstName: firstName ?? null, lastName: lastName ?? null, email: nullable(firstOf(record.emails, "email")), phone: nullable(firstOf(record.phones, "phone")) },
        followUp: followUpOf(custom[followUpFieldName]),
        segments: segmentsOf(custom[segmentsFieldName]),
        ...(companyCrmId ? { companyCrmId } : {}),
      };
    }
    case "company": {
      const sourceId = text(custom[leadFields.businessUnitId.name]);
      const address: unknown = Array.isArray(record.addresses) ? record.addresses[0] : undefined;
      const value = (key: string) => nullable(address && typeof address === "object" ? (address as Record<string, unknown>)[key] : undefined);
      const fields = Object.fromEntries(Object.entries(addressKeys).map(([field, key]) => [`address.${field}`, value(key)]));
      return { entity, ...base, ...(sourceId ? { sourceId } : {}), fields: { name: nullable(record.name), ...fields } };
    }
    case "deal": {
      const personCrmId = text(record.contact_id) ?? leadContact;
      const companyCrmId = text(record.lead_id);
      const currency = text(record.value_currency);
      // No line items in Close deals: `lines` stays absent.
      return {
        entity,
        ...base,
        deal: compact({
          name: text(record.note),
          stage: text(record.status_label),
          status: dealStatus(record.status_type),
          // Close keeps opportunity values in cents.
          amount: typeof record.value === "number" ? record.value / 100 : undefined,
          currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined,
          personCrmId,
          companyCrmId,
        }) as CrmDealSnapshot["deal"],
      };
    }
  }
}

const leadContactsSchema = z.looseObject({ contacts: z.array(z.looseObject({ id: z.string() })).default([]) });

/** What we subscribe to: every change of the records we read back. */
const subscribedEvents = Object.keys(entityOf).flatMap((object_type) => actions.map((action) => ({ object_type, action })));
const subscriptionSchema = z.looseObject({ id: z.string(), url: z.string() });
const createdSubscriptionSchema = z.looseObject({ id: z.string(), signature_key: z.string().regex(/^([0-9a-fA-F]{2})+$/) });
const contactLeadSchema = z.looseObject({ id: z.string(), lead_id: z.string() });

/** Close → us: signed webhook deliveries, records read back by ID, changes listed for polling (changes.ts). */
export function closeInbound(options: { transport: Transport; signatureKey?: string | undefined }): CrmInbound {
  const catalogues = { contact: fieldCatalogue(options.transport, "contact"), lead: fieldCatalogue(options.transport, "lead") };
  return {
    // Close's delivery carries the object's data and previous data: generous, still bounded.
    maxBodyBytes: 1024 * 1024,
    verify: (request) => verifySignature(options.signatureKey ?? request.issuedSecret, request),
    parse: parseDelivery,
    ...closeChanges(options.transport),
    async readRecord(entity, crmId, ctx) {
      const connection = { transport: options.transport, ctx };
      const record = await unlessGone(send(connection, "GET", `${paths[entity]}${encodeURIComponent(crmId)}/`, recordSchema));
      if (!record) return undefined;
      const scope = entity === "person" ? "contact" : entity === "company" ? "lead" : undefined;
      // An opportunity without a contact is for its lead's first contact (a B2C lead holds one person).
      const lead = entity === "deal" && !text(record.contact_id) && text(record.lead_id) ? await unlessGone(send(connection, "GET", `/lead/${encodeURIComponent(String(record.lead_id))}/`, leadContactsSchema)) : undefined;
      return snapshotOf(entity, record, scope ? customValuesByName(record, await catalogues[scope](ctx)) : {}, lead?.contacts[0]?.id);
    },

    async adopt(_entity, crmId, sourceId, ctx) {
      const connection = { transport: options.transport, ctx };
      const [contactField, leadField] = [(await catalogues.contact(ctx)).get(contactFields.customerId.name), (await catalogues.lead(ctx)).get(leadFields.customerId.name)];
      if (!contactField || !leadField) throw new SyncError({ errorClass: "validation", message: "Close lacks the ct_customer_id custom fields (they are created by the first outbound write)" });
      const contact = await send(connection, "PUT", `/contact/${encodeURIComponent(crmId)}/`, contactLeadSchema, { json: { [customKey(contactField)]: sourceId } });
      // A contact born in Close sits on a lead of its own, which the outbound side finds B2C people's leads by.
      const lead = await send(connection, "GET", `/lead/${encodeURIComponent(contact.lead_id)}/`, leadContactsSchema);
      if (lead.contacts.length === 1) await send(connection, "PUT", `/lead/${encodeURIComponent(contact.lead_id)}/`, idOnlySchema, { json: { [customKey(leadField)]: sourceId } });
    },

    async subscribe(url, { renew }, ctx) {
      // A key in the settings means the admin subscribed by hand and keeps that subscription.
      if (options.signatureKey) return {};
      const connection = { transport: options.transport, ctx };
      const ours = (await listAll(connection, "/webhook/", subscriptionSchema)).filter((s) => s.url === url);
      if (ours.length > 0 && !renew) return {};
      for (const old of ours) await unlessGone(send(connection, "DELETE", `/webhook/${encodeURIComponent(old.id)}/`, z.unknown()));
      const created = await send(connection, "POST", "/webhook/", createdSubscriptionSchema, { json: { url, events: subscribedEvents, verify_ssl: true } });
      return { issuedSecret: created.signature_key };
    },
  };
}
