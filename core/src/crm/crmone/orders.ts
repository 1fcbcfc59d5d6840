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

/** Who a record is about, by commercetools IDs (an order, a cart, an order's transition). */
export type Parties = Pick<OrderActivity, "personSourceId" | "email" | "companySourceId">;

/** The contact (a placeholder when the customer is not synced yet, the oldest with the email for a guest) and the unit's account. */
async function resolveTarget(call: Call, parties: Parties): Promise<NoteTarget> {
  const accountId = parties.companySourceId ? await ensureAccount(call, parties.companySourceId, undefined) : undefined;
  const contactId = parties.personSourceId
    ? await ensureContact(call, { sourceId: parties.personSourceId, email: parties.email, companySourceId: parties.companySourceId })
    : parties.email
      ? await contactWithEmail(call, parties.email)
      : undefined;
  if (!contactId && !accountId) throw new SyncError({ errorClass: "not_found", message: "CRM One: no customer, email or business unit to attach the record to" });
  return { contactId, accountId };
}

/** `resolveTarget` once per party within one adapter call: a batch's records of one customer find their contact once. */
export type NoteTargetResolver = (parties: Parties) => Promise<NoteTarget>;

export function targetsOnce(call: Call): NoteTargetResolver {
  const resolved = new Map<string, Promise<NoteTarget>>();
  return (parties) => {
    const key = JSON.stringify([parties.personSourceId, parties.email, parties.companySourceId]);
    let target = resolved.get(key);
    if (!target) resolved.set(key, (target = resolveTarget(call, parties)));
    return target;
  };
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
