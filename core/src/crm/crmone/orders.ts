import { SyncError } from "../../domain/errors";
import type { OrderActivity } from "../../domain/model";
import type { RecordWrite } from "../kit/record-writer";
import { type Call, findAll, updateRecord } from "./api";
import { ensureAccount } from "./companies";
import { convergeRecord, oldestFirstOrder } from "./converge-record";
import { models } from "./fields";
import { noteData, noteName, type NoteTarget } from "./mapping";
import { ensureContact } from "./people";

/** The oldest contact with this email (a guest's order finds the person the guest policy attached it to). */
async function contactWithEmail(call: Call, email: string): Promise<string | undefined> {
  const [first] = await findAll(call, models.person, { email1: email }, ["id"], oldestFirstOrder);
  return first?.id;
}

async function resolveTarget(call: Call, order: OrderActivity): Promise<NoteTarget> {
  const accountId = order.companySourceId ? await ensureAccount(call, order.companySourceId, undefined) : undefined;
  const contactId = order.personSourceId
    ? await ensureContact(call, { sourceId: order.personSourceId, email: order.email, companySourceId: order.companySourceId })
    : order.email
      ? await contactWithEmail(call, order.email)
      : undefined;
  if (!contactId && !accountId) throw new SyncError({ errorClass: "not_found", message: "CRM One: no customer, email or business unit to attach the order to" });
  return { contactId, accountId };
}

/**
 * One note per order, on the customer's contact (and their unit's account),
 * found by its name (`commercetools order <activity key>`) and converged
 * like every record here: a state change rewrites the note's description.
 * 1CRM's SalesOrder would need line groups and lines of products the
 * instance holds; notes are what every instance has (README).
 */
export async function upsertOrder(call: Call, order: OrderActivity): Promise<RecordWrite> {
  const target = await resolveTarget(call, order);
  const data = noteData(order, target);
  const { survivor, created } = await convergeRecord(call, {
    model: models.order,
    lock: `order:${order.activityKey}`,
    filters: { name: noteName(order) },
    data: () => data,
    update: (note) => updateRecord(call, models.order, note.id, data),
  });
  return { crmId: survivor.id, created };
}
