import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { OrderActivity } from "../../domain/model";
import { ensureCompanyLead } from "./companies";
import { contactHitFields, deleteQuietly, leadIdOf, type Call, type WriteResult } from "./context";
import { customKey } from "./field-names";
import { orderValues } from "./mapping";
import { listAll } from "./paging";
import { ensurePersonContact, findContactsOf } from "./people";
import { activitySchema, idOnlySchema, type CloseActivity, type SearchHit } from "./schemas";
import { contactByEmail, oldestFirst, searchAll } from "./search";

type Target = { leadId: string; contactId?: string };

/** Contacts of the orders' customers, found before the orders are written: one search per 100 customers. */
export type KnownContacts = Map<string, SearchHit[]>;

export function contactsOfCustomers(call: Call, orders: OrderActivity[]): Promise<KnownContacts> {
  return findContactsOf(call, [...new Set(orders.flatMap((o) => (o.personSourceId ? [o.personSourceId] : [])))]);
}

/**
 * Where the order goes: its customer's contact (created minimal if needed),
 * else a contact with its email, else its unit's lead. A customer found with
 * exactly one contact in `known` needs no search of its own; none or several
 * (a duplicate to remove) take the locked path.
 */
async function resolveTarget(call: Call, order: OrderActivity, known: KnownContacts | undefined): Promise<Target> {
  if (order.personSourceId) {
    const hits = known?.get(order.personSourceId);
    const leadId = hits?.length === 1 ? leadIdOf(hits[0]!) : undefined;
    if (leadId) return { leadId, contactId: hits![0]!.id };
    return ensurePersonContact(call, { sourceId: order.personSourceId, email: order.email, companySourceId: order.companySourceId });
  }
  if (order.email) {
    const email = order.email.toLowerCase();
    const hits = await searchAll(call.http, call.ctx, contactByEmail(order.email), { contact: ["id", "date_created", ...contactHitFields] });
    const exact = oldestFirst(
      hits.filter((h) => z.array(z.looseObject({ email: z.string() })).catch([]).parse(h.emails).some((e) => e.email.toLowerCase() === email)),
    );
    const leadId = exact[0] ? leadIdOf(exact[0]) : undefined;
    if (exact[0] && leadId) return { leadId, contactId: exact[0].id };
  }
  if (order.companySourceId) return { leadId: await ensureCompanyLead(call, order.companySourceId, undefined) };
  throw new SyncError({ errorClass: "not_found", message: "Close: no customer, email or business unit to attach the order to" });
}

function listOrderActivities(call: Call, leadId: string): Promise<CloseActivity[]> {
  return listAll(call.http, call.ctx, "/activity/custom/", activitySchema, {
    lead_id: leadId,
    custom_activity_type_id: call.schema.orderActivityTypeId,
  });
}

/**
 * The lead's purchase figures, recomputed from its order activities (not
 * incremented), so repeating an order write never double-counts. Cancelled
 * orders do not count; only orders in this order's currency are summed.
 */
async function updateLeadFigures(call: Call, leadId: string, activities: CloseActivity[], order: OrderActivity): Promise<void> {
  const f = call.schema.order;
  const currency = order.total.currencyCode;
  const counted = activities.filter((a) => a[customKey(f.orderState)] !== "Cancelled");
  const total = counted
    .filter((a) => a[customKey(f.currency)] === currency)
    .reduce((sum, a) => sum + (typeof a[customKey(f.total)] === "number" ? (a[customKey(f.total)] as number) : 0), 0);
  const last = counted
    .map((a) => a.activity_at ?? a.date_created)
    .sort()
    .at(-1);
  const lead = call.schema.lead;
  await call.http.request(call.ctx, "PUT", `/lead/${leadId}/`, idOnlySchema, {
    body: {
      [customKey(lead.lifetimeValue)]: Number(total.toFixed(order.total.fractionDigits)),
      [customKey(lead.currency)]: currency,
      ...(last ? { [customKey(lead.lastPurchaseDate)]: last.slice(0, 10) } : {}),
    },
  });
}

/**
 * One "commercetools Order" custom activity per activityKey. Activities are
 * not searchable through /data/search/, so the lead's order activities are
 * listed and matched on the key field. Same lock-and-re-check as people.
 */
export async function upsertOrder(call: Call, order: OrderActivity, known?: KnownContacts): Promise<WriteResult> {
  const target = await resolveTarget(call, order, known);
  return call.mutex.run(`order:${order.activityKey}`, async () => {
    const keyField = customKey(call.schema.order.activityKey);
    const mine = (list: CloseActivity[]) => oldestFirst(list.filter((a) => a[keyField] === order.activityKey));
    const values = orderValues(order, call.schema);
    const contact = target.contactId ? { contact_id: target.contactId } : {};

    const existing = mine(await listOrderActivities(call, target.leadId));
    let result: WriteResult;
    if (existing[0]) {
      await call.http.request(call.ctx, "PUT", `/activity/custom/${existing[0].id}/`, activitySchema, {
        body: { ...values, ...contact, activity_at: order.createdAt },
      });
      result = { crmId: existing[0].id, created: false };
    } else {
      const created = await call.http.request(call.ctx, "POST", "/activity/custom/", activitySchema, {
        body: {
          custom_activity_type_id: call.schema.orderActivityTypeId,
          lead_id: target.leadId,
          ...contact,
          status: "published",
          activity_at: order.createdAt,
          ...values,
        },
      });
      result = { crmId: created.id, created: true };
    }

    const activities = await listOrderActivities(call, target.leadId);
    const [keep, ...duplicates] = mine(activities);
    for (const duplicate of duplicates) {
      await deleteQuietly(call, `/activity/custom/${duplicate.id}/`);
      call.logger?.warn("close: removed duplicate order activity", { kept: keep?.id, removed: duplicate.id });
    }
    if (keep && keep.id !== result.crmId) {
      // Lost a creation race to another process: our values go onto the survivor.
      await call.http.request(call.ctx, "PUT", `/activity/custom/${keep.id}/`, activitySchema, { body: { ...values, ...contact } });
      result = { crmId: keep.id, created: false };
    }
    const removed = new Set(duplicates.map((d) => d.id));
    await updateLeadFigures(call, target.leadId, activities.filter((a) => !removed.has(a.id)), order);
    return result;
  });
}
