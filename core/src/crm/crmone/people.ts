import type { Person } from "../../domain/model";
import type { RecordWrite } from "../kit/record-writer";
import { type Call, type CrmOneRecord, findAll, updateRecord } from "./api";
import { ensureAccount } from "./companies";
import { convergeRecord, oldestFirstOrder } from "./converge-record";
import { contactFields, models } from "./fields";
import { contactData, placeholderContactData, type RecordData } from "./mapping";

/** What a find reads of a contact: enough to order duplicates, and what an update merges with (categories, consent). */
const foundContactFields = ["id", "date_entered", "categories", "email_opt_out", "email_opt_in_date"];

/** The contacts carrying a commercetools customer ID, oldest first. */
export function contactsOf(call: Call, sourceId: string, fields: readonly string[]): Promise<CrmOneRecord[]> {
  return findAll(call, models.person, { [contactFields.customerId]: sourceId }, fields, oldestFirstOrder);
}

/** One contact per customer by `ct_customer_id`, converged; `update` absent: a contact found is left as it is. */
function convergeContact(call: Call, sourceId: string, data: () => RecordData, update?: (contact: CrmOneRecord) => Promise<void>) {
  return convergeRecord(call, {
    model: models.person,
    lock: `person:${sourceId}`,
    filters: { [contactFields.customerId]: sourceId },
    fields: foundContactFields,
    data,
    ...(update ? { update } : {}),
  });
}

/** A person's contact, created or updated; an associate's with their unit's account (a placeholder until the unit syncs). */
export async function upsertPerson(call: Call, person: Person): Promise<RecordWrite> {
  const accountId = person.companySourceId ? await ensureAccount(call, person.companySourceId, person.companyName) : undefined;
  const { survivor, created } = await convergeContact(
    call,
    person.sourceId,
    () => contactData(person, { accountId }),
    // Merged with what the contact holds: categories people added, a newer consent event.
    (contact) => updateRecord(call, models.person, contact.id, contactData(person, { accountId, found: contact })),
  );
  return { crmId: survivor.id, created };
}

/**
 * The contact an order hangs off. A customer not synced yet gets a minimal
 * contact (ID, email, unit) that the customer's own sync completes: orders
 * may arrive before their customer.
 */
export async function ensureContact(call: Call, placeholder: Pick<Person, "sourceId" | "email" | "companySourceId">): Promise<string> {
  const accountId = placeholder.companySourceId ? await ensureAccount(call, placeholder.companySourceId, undefined) : undefined;
  return (await convergeContact(call, placeholder.sourceId, () => placeholderContactData(placeholder, accountId))).survivor.id;
}
