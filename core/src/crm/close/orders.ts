import { SyncError } from "../../domain/errors";
import type { OrderActivity } from "../../domain/model";
import { converge, oldestFirst } from "../kit/converge";
import type { RecordWrite } from "../kit/record-writer";
import { ensureCompanyLead } from "./companies";
import { listAll, removeQuietly, send, type Call } from "./connection";
import { customKey } from "./field-names";
import { orderActivityBody, orderValues } from "./mapping";
import { ensurePersonContact, findContactsOf } from "./people";
import { activitySchema, idOnlySchema, type CloseActivity, type SearchHit } from "./schemas";
import { contactsWithEmail, createdAt, leadIdOf } from "./search";

export type Target = { leadId: string; contactId?: string };

/** Whom a record (an order, a cart's deal, an order's event) is for. */
export type Owner = Pick<OrderActivity, "personSourceId" | "email" | "companySourceId">;

/** Contacts of the records' customers, found before the records are written: one search per 100 customers. */
export type KnownContacts = Map<string, SearchHit[]>;

export function contactsOfCustomers(call: Call, records: Owner[]): Promise<KnownContacts> {
  return findContactsOf(call, [...new Set(records.flatMap((o) => (o.personSourceId ? [o.personSourceId] : [])))]);
}

/**
 * Where a record goes: its customer's contact (created minimal if needed),
 * else a contact with its email, else its unit's lead. A customer found with
 * exactly one contact in `known` needs no search of its own; none or several
 * (a duplicate to remove) take the locked path.
 */
export async function resolveTarget(call: Call, order: Owner, known: KnownContacts): Promise<Target> {
  if (order.personSourceId) {
    const hits = known.get(order.personSourceId);
    const leadId = hits?.length === 1 ? leadIdOf(hits[0]!) : undefined;
    if (leadId) return { leadId, contactId: hits![0]!.id };
    return ensurePersonContact(call, { sourceId: order.personSourceId, email: order.email, companySourceId: order.companySourceId });
  }
  const [contact] = order.email ? await contactsWithEmail(call, order.email) : [];
  const leadId = contact ? leadIdOf(contact) : undefined;
  if (contact && leadId) return { leadId, contactId: contact.id };
  if (order.companySourceId) return { leadId: await ensureCompanyLead(call, order.companySourceId, undefined) };
  throw new SyncError({ errorClass: "not_found", message: "Close: no customer, email or business unit to attach the record to" });
}

/**
 * The lead's purchase figures, recomputed from its order activities (not
 * incremented), so repeating an order write never double-counts: one
 * activity per order (the oldest, should a duplicate not be gone yet), none
 * for cancelled orders, only orders in this order's currency summed.
 */
async function updateLeadFigures(call: Call, leadId: string, activities: CloseActivity[], order: OrderActivity): Promise<void> {
  const f = call.schema.order;
  const value = (a: CloseActivity, field: string) => a[customKey(field)];
  const keys = new Set<unknown>();
  const counted = oldestFirst(activities, createdAt).filter((a) => {
    const key = value(a, f.activityKey) ?? a.id;
    if (keys.has(key)) return false;
    keys.add(key);
    return value(a, f.orderState) !== "Cancelled";
  });
  const currency = order.total.currencyCode;
  const total = counted.filter((a) => value(a, f.currency) === currency).reduce((sum, a) => sum + (typeof value(a, f.total) === "number" ? (value(a, f.total) as number) : 0), 0);
  const last = counted
    .map((a) => a.activity_at ?? a.date_created)
    .sort()
    .at(-1);
  const lead = call.schema.lead;
  const orderIds = [...new Set(activities.map((a) => value(a, f.orderId)).filter((id): id is string => typeof id === "string"))];
  await send(call, "PUT", `/lead/${leadId}/`, idOnlySchema, {
    json: {
      [customKey(lead.lifetimeValue)]: Number(total.toFixed(order.total.fractionDigits)),
      [customKey(lead.currency)]: currency,
      [customKey(lead.orderIds)]: orderIds.join("\n"),
      ...(last ? { [customKey(lead.lastPurchaseDate)]: last.slice(0, 10) } : {}),
    },
  });
}

/**
 * One "commercetools Order" custom activity per activityKey, converged like
 * people (Close has no upsert). Activities are not searchable through
 * /data/search/, so the lead's order activities are listed and matched on
 * the key field; the list also gives the lead's figures.
 */
export async function upsertOrder(call: Call, order: OrderActivity, known: KnownContacts): Promise<RecordWrite> {
  const target = await resolveTarget(call, order, known);
  return call.lock.run(`order:${order.activityKey}`, async () => {
    const keyField = customKey(call.schema.order.activityKey);
    const contact = target.contactId ? { contact_id: target.contactId } : {};
    let listed: CloseActivity[] = [];
    const list = async () =>
      (listed = await listAll(call, "/activity/custom/", activitySchema, { lead_id: target.leadId, custom_activity_type_id: call.schema.orderActivityTypeId }));
    const { survivor, created } = await converge<CloseActivity>({
      find: async () => (await list()).filter((a) => a[keyField] === order.activityKey),
      create: () => send(call, "POST", "/activity/custom/", activitySchema, { json: { ...orderActivityBody(order, call.schema), lead_id: target.leadId, ...contact } }),
      createdAt,
      async remove(duplicate, kept) {
        await removeQuietly(call, `/activity/custom/${duplicate.id}/`);
        call.logger.warn("close: removed duplicate order activity", { kept: kept.id, removed: duplicate.id });
      },
      update: (activity) =>
        send(call, "PUT", `/activity/custom/${activity.id}/`, activitySchema, { json: { ...orderValues(order, call.schema), ...contact, activity_at: order.createdAt } }).then(() => undefined),
    });
    // Ours created: the re-check's list holds it as written. Written onto one found: list again to see it as it is now.
    await updateLeadFigures(call, target.leadId, created ? listed : await list(), order);
    return { crmId: survivor.id, created };
  });
}
