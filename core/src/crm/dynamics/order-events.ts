import { SyncError } from "../../domain/errors";
import type { OrderEvent } from "../../domain/model";
import { formatMoney } from "../../domain/money";
import type { CallContext, WriteOutcome } from "../../ports/crm-outbound";
import { RecordOutcomes } from "../kit/record-writer";
import type { DataverseApi } from "./api";
import { maxBatchOperations, sendBatch } from "./batch";
import { answerError, dataverseCodes } from "./errors";
import { accountOf, contactOf, type DataverseRow, stableGuid, tables } from "./mapping";
import { createOnce } from "./writes";

/**
 * The reference lines at the end of a timeline note, `Label: value`: what
 * the entry is, for people and tools reading the note (Dataverse's note
 * table takes no columns of our own).
 */
export const noteReference = { type: "Event", amount: "Amount", order: "Order ID", key: "Entry" } as const;

/**
 * A transition of an order as a note (annotation) on the contact's timeline
 * (the account's for an order without a customer), dated `at` through
 * `overriddencreatedon`. Its ID derives from the event's key, so a
 * redelivery names the same note; undefined when the order has neither.
 */
export function eventNote(event: OrderEvent): { id: string; body: DataverseRow } | undefined {
  const regarding = event.personSourceId
    ? { "objectid_contact@odata.bind": contactOf(event.personSourceId) }
    : event.companySourceId
      ? { "objectid_account@odata.bind": accountOf(event.companySourceId) }
      : undefined;
  if (!regarding) return undefined;
  const number = event.orderNumber ?? event.orderSourceId;
  const amount = event.amount ? formatMoney(event.amount) : undefined;
  const reference = [
    `${noteReference.type}: ${event.type}`,
    ...(amount ? [`${noteReference.amount}: ${amount}`] : []),
    `${noteReference.order}: ${event.orderSourceId}`,
    `${noteReference.key}: ${event.sourceId}`,
  ];
  const text = [`commercetools order ${number} ${event.type} on ${event.at.slice(0, 10)}.`, ...(event.detail ? [event.detail] : []), "", ...reference];
  return {
    id: stableGuid(event.sourceId),
    body: { subject: `Order ${number} ${event.type}${amount ? ` ${amount}` : ""}`, notetext: text.join("\n"), overriddencreatedon: event.at, ...regarding },
  };
}

/**
 * Order transitions as notes, created once each (`If-None-Match: *` on the
 * note's own ID: one that exists is refused as a duplicate, which means it is
 * there already and is left as it is, a salesperson's edits included),
 * `$batch` calls of up to a thousand, each note its own change set.
 */
export async function recordOrderEvents(api: DataverseApi, events: OrderEvent[], ctx: CallContext): Promise<WriteOutcome[]> {
  const book = new RecordOutcomes(events);
  const notes = events.map(eventNote);
  const nowhere = new SyncError({ errorClass: "validation", message: "the order has neither a customer nor a business unit to put its timeline entry on" });
  for (const i of book.open()) if (!notes[i]) await book.attempt(i, () => Promise.reject(nowhere));
  const open = book.open();
  for (let at = 0; at < open.length; at += maxBatchOperations) {
    const chunk = open.slice(at, at + maxBatchOperations);
    const answers = await sendBatch(api, chunk.map((i) => [createOnce(tables.note.entitySet, notes[i]!.id, notes[i]!.body)]), ctx);
    for (const [k, i] of chunk.entries()) {
      await book.attempt(i, async () => {
        const answer = answers[k];
        if (!answer) throw new SyncError({ errorClass: "unknown", message: "Dynamics 365 did not run this entry's part of the $batch" });
        if (answer.ok) return book.succeed(i, { crmId: notes[i]!.id, created: true });
        const { status, headers, text } = answer.answer;
        const error = answerError(status, headers, text);
        if (status === 412 && error.details.code === dataverseCodes.duplicateRecord) return book.succeed(i, { crmId: notes[i]!.id, created: false });
        throw error;
      });
    }
  }
  return book.outcomes();
}
