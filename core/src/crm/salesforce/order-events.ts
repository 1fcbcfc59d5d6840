import { z } from "zod";
import type { OrderEvent } from "../../domain/model";
import { formatMoney, toMajorUnits } from "../../domain/money";
import type { CallContext, WriteOutcome } from "../../ports/crm-outbound";
import type { SalesforceApi } from "./api";
import { upsertCollection } from "./collections";
import { contactExternalId, contactObject, orderExternalId, orderObject, type SObjectBody } from "./mapping";
import { rowsWhereIn } from "./query";

/** An order's transition is a completed Task keyed by its event key in an External ID field (an Activity custom field). */
export const taskObject = "Task";
export const eventExternalId = "CT_Event_Key__c";

/** The Activity fields the merchant installs for the timeline, checked on Task by ensureSchema (README.md). */
export const eventFields = [eventExternalId, "CT_Event_Type__c", "CT_Amount__c", "CT_Currency__c"];

const subjectMax = 255;
const descriptionMax = 32_000;

/** "Order 1234 refunded 12.34 EUR": what Sales reads in the activity timeline. */
function eventSubject(event: OrderEvent): string {
  const words = [`Order ${event.orderNumber ?? event.orderSourceId}`, event.type, ...(event.amount ? [formatMoney(event.amount)] : [])];
  return words.join(" ").slice(0, subjectMax);
}

/**
 * The Task of one transition: completed, dated by when it happened, on the
 * contact (WhoId) and the order record (WhatId, both polymorphic lookups: the
 * parent's type is named, as the REST API requires for them).
 */
export function eventBody(event: OrderEvent): SObjectBody {
  return {
    Subject: eventSubject(event),
    Status: "Completed",
    ActivityDate: new Date(Date.parse(event.at)).toISOString().slice(0, 10),
    CT_Event_Type__c: event.type,
    ...(event.detail ? { Description: event.detail.slice(0, descriptionMax) } : {}),
    ...(event.amount ? { CT_Amount__c: toMajorUnits(event.amount), CT_Currency__c: event.amount.currencyCode } : {}),
    ...(event.personSourceId ? { Who: { attributes: { type: contactObject }, [contactExternalId]: event.personSourceId } } : {}),
    What: { attributes: { type: orderObject }, [orderExternalId]: event.orderSourceId },
  };
}

const existingRow = z.object({ Id: z.string(), [eventExternalId]: z.string().nullable().optional() }).catchall(z.unknown());

/**
 * Writes each transition once: one query (per 100 keys) finds the entries
 * already there, which are answered as they are and left alone (a salesperson
 * may have added to them); the others are upserted on their key, 200 a call,
 * so a concurrent delivery of the same event still leaves one Task.
 */
export async function recordOrderEvents(api: SalesforceApi, events: OrderEvent[], ctx: CallContext): Promise<WriteOutcome[]> {
  if (events.length === 0) return [];
  const keys = [...new Set(events.map((e) => e.sourceId))];
  const rows = await rowsWhereIn(api, { select: `Id, ${eventExternalId}`, object: taskObject, keyField: eventExternalId }, keys, existingRow, ctx);
  // External IDs compare without case.
  const existing = new Map(rows.flatMap((r) => (r[eventExternalId] ? [[r[eventExternalId].toLowerCase(), r.Id] as const] : [])));
  const missing = events.filter((e) => !existing.has(e.sourceId.toLowerCase()));
  const written = await upsertCollection(api, taskObject, eventExternalId, missing.map((e) => ({ sourceId: e.sourceId, body: eventBody(e) })), ctx);
  const outcomes = new Map(written.map((o) => [o.sourceId, o]));
  return events.map((e): WriteOutcome => {
    const crmId = existing.get(e.sourceId.toLowerCase());
    return crmId ? { sourceId: e.sourceId, ok: true, crmId, created: false } : outcomes.get(e.sourceId)!;
  });
}
