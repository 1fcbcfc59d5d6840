import type { OrderEvent } from "../../domain/model";
import { formatMoney, toMajorUnits } from "../../domain/money";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { convergeAll } from "../kit/converge";
import { RecordOutcomes, runsWithoutRepeats } from "../kit/record-writer";
import { listAll, removeQuietly, send, type Call } from "./connection";
import { customKey, type CloseSchema } from "./field-names";
import { compact } from "./mapping";
import { contactsOfCustomers, resolveTarget, type Target } from "./orders";
import { activitySchema, type CloseActivity } from "./schemas";
import { createdAt } from "./search";

/** "Order 1234 refunded 12.34 EUR (1 item returned)": what the timeline shows first. */
function summary(event: OrderEvent): string {
  const order = `Order ${event.orderNumber ?? event.orderSourceId}`;
  const amount = event.amount ? ` ${formatMoney(event.amount)}` : "";
  return `${order} ${event.type}${amount}${event.detail ? ` (${event.detail})` : ""}`;
}

/** A new "commercetools Order event" activity, published, dated when the transition happened. */
export function orderEventBody(event: OrderEvent, schema: CloseSchema): Record<string, unknown> {
  const f = schema.orderEvent;
  return compact({
    custom_activity_type_id: schema.orderEventActivityTypeId,
    status: "published",
    activity_at: event.at,
    [customKey(f.eventKey)]: event.sourceId,
    [customKey(f.orderId)]: event.orderSourceId,
    [customKey(f.eventType)]: event.type,
    [customKey(f.summary)]: summary(event),
    [customKey(f.amount)]: event.amount ? toMajorUnits(event.amount) : undefined,
    [customKey(f.currency)]: event.amount?.currencyCode,
  });
}

/**
 * Order transitions as custom activities on the customer's lead (and
 * contact), one per event key. Close has no upsert and cannot search
 * activities: per lead, its event activities are listed once, the missing
 * ones created, the lead listed again, and the oldest of a key kept (others
 * deleted). An entry already there is left as it is.
 */
export async function recordOrderEvents(call: Call, events: OrderEvent[]): Promise<WriteOutcome[]> {
  const book = new RecordOutcomes(events);
  const known = await contactsOfCustomers(call, events);
  const keyField = customKey(call.schema.orderEvent.eventKey);
  // A grouped find cannot see what its own run creates: a key twice in one call waits for the next run.
  for (const run of runsWithoutRepeats(events, (e) => e.sourceId)) {
    const byLead = new Map<string, { target: Target; members: { event: OrderEvent; index: number }[] }>();
    for (const { record: event, index } of run) {
      await book.attempt(index, async () => {
        const target = await resolveTarget(call, event, known);
        const group = byLead.get(target.leadId) ?? { target, members: [] };
        group.members.push({ event, index });
        byLead.set(target.leadId, group);
      });
    }
    for (const { target, members } of byLead.values()) {
      const byKey = new Map(members.map((m) => [m.event.sourceId, m]));
      await call.lock.runAll([...byKey.keys()].map((key) => `order-event:${key}`), async () => {
        const results = await convergeAll<CloseActivity>(
          [...byKey.keys()],
          {
            async find(keys) {
              const wanted = new Set(keys);
              const found = new Map<string, CloseActivity[]>(keys.map((k) => [k, []]));
              const listed = await listAll(call, "/activity/custom/", activitySchema, { lead_id: target.leadId, custom_activity_type_id: call.schema.orderEventActivityTypeId });
              for (const activity of listed) {
                const key = activity[keyField];
                if (typeof key === "string" && wanted.has(key)) found.get(key)!.push(activity);
              }
              return found;
            },
            create: (key) =>
              send(call, "POST", "/activity/custom/", activitySchema, {
                json: { ...orderEventBody(byKey.get(key)!.event, call.schema), lead_id: target.leadId, ...(target.contactId ? { contact_id: target.contactId } : {}) },
              }),
            createdAt,
            async remove(duplicate, kept) {
              await removeQuietly(call, `/activity/custom/${duplicate.id}/`);
              call.logger.warn("close: removed duplicate order event activity", { kept: kept.id, removed: duplicate.id });
            },
          },
          (key, step) => book.attempt(byKey.get(key)!.index, step),
        );
        for (const [key, { survivor, created }] of results) book.succeed(byKey.get(key)!.index, { crmId: survivor.id, created });
      });
    }
  }
  return book.outcomes();
}
