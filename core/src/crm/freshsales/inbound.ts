import { z } from "zod";
import { SyncError } from "../../domain/errors";
import {
  type CrmChange,
  type CrmCompanySnapshot,
  type CrmDealSnapshot,
  type CrmEntity,
  type CrmInbound,
  type CrmPersonSnapshot,
  type InboundRequest,
  MalformedDelivery,
} from "../../ports/crm-inbound";
import type { CallContext } from "../../ports/crm-outbound";
import { unlessGone } from "../kit/gone";
import { readJsonDelivery } from "../kit/json-delivery";
import { sharedSecretHeader, sharedSecretRefusal } from "../kit/shared-secret";
import { send, type FreshsalesApi } from "./connection";
import { accountIdField, cartKeyField, contactIdField, dealIdField, followUpField, type Module } from "./fields";
import { compact } from "./mapping";
import { contactSchema, dealSchema, recordSchema, salesAccountSchema, viewPageSchema, type FreshsalesContact, type FreshsalesDeal, type FreshsalesRecord } from "./schemas";
import type { AccountSetup, DealStages } from "./setup";

/** The header the admin adds to the workflow's webhook action, carrying FRESHSALES_WEBHOOK_SECRET. */
export const secretHeader = sharedSecretHeader;
/** A delivery is our small template; anything near this size is not one. */
const maxBodyBytes = 64 * 1024;
const pageSize = 100;

/**
 * The JSON template the README has the admin paste into each workflow's
 * "Trigger Webhook" action: which record changed, and when. Nothing else is
 * taken from the delivery; the record is read back.
 */
const deliverySchema = z.object({
  module: z.enum(["contact", "sales_account", "deal"]),
  id: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String),
  updated_at: z.string().optional(),
  /** Who made the change (`{{contact.updater_id}}`); empty when Freshsales leaves the placeholder blank. */
  updater_id: z.union([z.number().int(), z.string().regex(/^\d*$/)]).transform(String).optional(),
});

const entityOf = { contact: "person", sales_account: "company", deal: "deal" } as const satisfies Record<z.infer<typeof deliverySchema>["module"], CrmEntity>;
const moduleOf: Record<CrmEntity, Module> = { person: "contacts", company: "sales_accounts", deal: "deals" };

/**
 * A delivery as one change. A change the integration user made is our own
 * write coming back: nothing to apply, and not worth a read from the budget.
 */
function parse(request: InboundRequest, ownUserId: string | undefined) {
  const { module, id, updated_at: stamp, updater_id: updater } = readJsonDelivery(request, deliverySchema, "Freshsales workflow");
  if (ownUserId !== undefined && updater === ownUserId) return { changes: [] };
  const entity = entityOf[module];
  if (stamp === undefined) return { changes: [{ entity, crmId: id, action: "updated" as const, deliveryId: `${entity}:${id}:${request.receivedAt.toISOString()}` }] };
  if (Number.isNaN(Date.parse(stamp))) throw new MalformedDelivery("Freshsales webhook's updated_at is not a time (is the template's placeholder {{...updated_at}}?)");
  // A workflow fires on create and on update alike; the template cannot tell them apart. Polling names a change the same way.
  const modifiedAt = utc(stamp);
  return { changes: [{ entity, crmId: id, action: "updated" as const, modifiedAt, deliveryId: changeKey(entity, id, modifiedAt) }] };
}

/** One change of one record, however it was heard of (a webhook, a poll): the same key twice is the same change. */
const changeKey = (entity: CrmEntity, crmId: string, modifiedAt: string) => `${entity}:${crmId}:${modifiedAt}`;

const str = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);
/** Freshsales answers times with the account's offset; the port compares them in UTC. */
const utc = (time: string) => new Date(time).toISOString();

/** Every field a mapping can name, under its mapping-target name: standard fields by API name, custom ones by `cf_` name. */
function crmFieldsOf(record: FreshsalesRecord): Record<string, unknown> {
  const { id: _id, custom_field: custom, created_at: _created, updated_at: _updated, ...standard } = record;
  return { ...standard, ...custom };
}

function addressOf(record: FreshsalesRecord) {
  return {
    "address.streetLine": str(record.address) ?? null,
    "address.city": str(record.city) ?? null,
    "address.postalCode": str(record.zipcode) ?? null,
    "address.region": str(record.state) ?? null,
    "address.country": str(record.country) ?? null,
  };
}

/** What every snapshot says: which record, the commercetools ID our unique field carries, when it last changed, all its fields. */
function recordPart(record: FreshsalesRecord, sourceIdField: string) {
  const sourceId = str(record.custom_field[sourceIdField]);
  return { crmId: record.id, ...(sourceId ? { sourceId } : {}), modifiedAt: utc(record.updated_at), crmFields: crmFieldsOf(record) };
}

function personSnapshot(contact: FreshsalesContact): CrmPersonSnapshot {
  const status = str(contact.subscription_status);
  const segments = [...new Set((contact.tags ?? []).map((t) => t.trim()).filter((t) => t !== ""))];
  const company = contact.sales_accounts?.find((a) => a.is_primary) ?? contact.sales_accounts?.[0];
  return {
    entity: "person",
    ...recordPart(contact, contactIdField),
    fields: {
      firstName: str(contact.first_name) ?? null,
      lastName: str(contact.last_name) ?? null,
      email: str(contact.email) ?? null,
      phone: str(contact.work_number) ?? null,
      ...addressOf(contact),
      "emailConsent.granted": status === undefined ? null : status.toLowerCase() === "subscribed",
    },
    followUp: contact.custom_field[followUpField] === true,
    segments,
    ...(company ? { companyCrmId: company.id } : {}),
  };
}

function companySnapshot(account: FreshsalesRecord): CrmCompanySnapshot {
  return {
    entity: "company",
    ...recordPart(account, accountIdField),
    fields: { name: str(account.name) ?? null, email: null, ...addressOf(account) },
  };
}

/**
 * A deal with its CPQ products: lines are the products carrying a SKU, in
 * whole quantities. A cart's deal (it carries `cf_ct_cart_key`) answers no
 * lines: it mirrors a commercetools cart already, and products Sales adds to
 * it must not start another cart (whose deal would be written back again).
 */
function dealSnapshot(deal: FreshsalesDeal, stages: DealStages): CrmDealSnapshot {
  const stage = deal.deal_stage_id ? stages.byId.get(deal.deal_stage_id) : undefined;
  const currency = str(deal.custom_field.cf_ct_currency);
  const amount = deal.amount === null || deal.amount === undefined ? undefined : Number(deal.amount);
  const lines = (deal.products ?? []).flatMap((p) => (str(p.sku_number) && Number.isInteger(p.quantity) && p.quantity > 0 ? [{ sku: p.sku_number!, quantity: p.quantity }] : []));
  return {
    entity: "deal",
    ...recordPart(deal, dealIdField),
    deal: compact({
      name: str(deal.name),
      stage: stage?.name,
      status: stage?.status ?? "open",
      amount: Number.isFinite(amount) ? amount : undefined,
      currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined,
      personCrmId: deal.contact_ids?.[0],
      companyCrmId: deal.sales_account_id ?? undefined,
      lines: deal.products && !str(deal.custom_field[cartKeyField]) ? lines : undefined,
    }) as CrmDealSnapshot["deal"],
  };
}

/** Where a pass over a view stands: changes after `since`; a pass under way reads page `page` of what was newer than `since` up to `ceiling`. */
const checkpointSchema = z.object({ since: z.number(), ceiling: z.number().optional(), page: z.number().int().min(2).optional() });
type Checkpoint = z.infer<typeof checkpointSchema>;

function readCheckpoint(raw: string | undefined): Checkpoint | undefined {
  if (raw === undefined) return undefined;
  try {
    return checkpointSchema.parse(JSON.parse(raw));
  } catch {
    throw new SyncError({ errorClass: "validation", message: "the stored Freshsales polling checkpoint is not one this connector wrote" });
  }
}

/**
 * Polling through the module's default view, newest changes first, one
 * page a call: a pass walks down from the newest change to the checkpoint
 * and moves it up once it gets there (each page's changes are answered
 * oldest first). Records changed while a pass is under way are left to the
 * next pass, which finds them at the top.
 */
async function changesSince(api: FreshsalesApi, setup: AccountSetup, ownUserId: string | undefined, entity: CrmEntity, raw: string | undefined, ctx: CallContext) {
  const module = moduleOf[entity];
  const view = await setup.defaultView(module);
  const at = readCheckpoint(raw) ?? { since: 0 };
  const page = at.page ?? 1;
  const query = { page, per_page: pageSize, sort: "updated_at", sort_type: "desc" };
  const { items, totalPages } = await send({ api, ctx }, "GET", `/${module}/view/${view}`, viewPageSchema(module, recordSchema), { query });
  const stamped = items.map((record) => ({ record, ms: Date.parse(record.updated_at) }));
  const ceiling = at.ceiling ?? Math.max(at.since, ...stamped.map((s) => s.ms));
  const changes = stamped
    // Our own writes move the checkpoint but are not changes to apply.
    .filter(({ record, ms }) => ms > at.since && ms <= ceiling && (ownUserId === undefined || record.updater_id !== ownUserId))
    .reverse()
    .map(({ record }): CrmChange => {
      const modifiedAt = utc(record.updated_at);
      return { entity, crmId: record.id, action: "updated", modifiedAt, deliveryId: changeKey(entity, record.id, modifiedAt) };
    });
  const reachedSince = stamped.length === 0 || stamped.at(-1)!.ms <= at.since;
  const next: Checkpoint = reachedSince || page >= totalPages ? { since: ceiling } : { since: at.since, ceiling, page: page + 1 };
  return { changes, checkpoint: JSON.stringify(next) };
}

/**
 * Freshsales → us: workflow webhooks carrying the README's template behind a
 * shared-secret header, records read back by ID, and polling of changes as
 * the safety net (workflow webhooks are not retried).
 */
export function freshsalesInbound(options: { api: FreshsalesApi; setup: AccountSetup; secret?: string | undefined; ownUserId?: string | undefined }): CrmInbound {
  const { api, setup } = options;
  return {
    maxBodyBytes,
    verify: (request) => sharedSecretRefusal(request, options.secret, "Freshsales"),
    parse: (request) => parse(request, options.ownUserId),
    async readRecord(entity, crmId, ctx) {
      if (!/^\d+$/.test(crmId)) return undefined;
      const call = { api, ctx };
      switch (entity) {
        case "person": {
          const found = await unlessGone(send(call, "GET", `/contacts/${crmId}`, z.object({ contact: contactSchema })));
          return found && personSnapshot(found.contact);
        }
        case "company": {
          const found = await unlessGone(send(call, "GET", `/sales_accounts/${crmId}`, z.object({ sales_account: salesAccountSchema })));
          return found && companySnapshot(found.sales_account);
        }
        case "deal": {
          const found = await unlessGone(send(call, "GET", `/deals/${crmId}`, z.object({ deal: dealSchema }), { query: { include: "products" } }));
          return found && dealSnapshot(found.deal, await setup.dealStages());
        }
      }
    },
    checkpointAt: (instant) => JSON.stringify({ since: Date.parse(instant) }),
    async adopt(_entity, crmId, sourceId, ctx) {
      await send({ api, ctx }, "PUT", `/contacts/${encodeURIComponent(crmId)}`, z.object({ contact: contactSchema }), { json: { contact: { custom_field: { [contactIdField]: sourceId } } } });
    },
    changesSince: (entity, checkpoint, ctx) => changesSince(api, setup, options.ownUserId, entity, checkpoint, ctx),
  };
}
