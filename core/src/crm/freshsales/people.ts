import { SyncError } from "../../domain/errors";
import type { Person } from "../../domain/model";
import type { WriteOutcome } from "../../ports/crm-outbound";
import type { RecordWrite } from "../kit/record-writer";
import { contactIdField } from "./fields";
import { idsOf, missingLink, writeResolved, type Resolved } from "./linked-ids";
import { lookup } from "./lookup";
import { contactBody } from "./mapping";
import { accountsModule, contactsModule, type Item, type WriteCall } from "./modules";
import { upsertAll, upsertOne } from "./writes";

/**
 * Freshsales keeps one contact per email. When our upsert by commercetools
 * ID is refused because another contact holds the person's email, email is
 * the secondary match (the default matching rules): a contact nobody synced
 * is adopted (our ID written onto it); one carrying another commercetools
 * customer is an ambiguous match for review, and nothing is written.
 */
function adoptByEmail(call: WriteCall, people: Map<string, Person>) {
  return async (item: Item, refused: SyncError): Promise<RecordWrite> => {
    const email = people.get(item.sourceId)?.email;
    if (!email) throw refused;
    const [holder] = await lookup(call, "contacts", "email", email);
    if (!holder) throw new SyncError({ errorClass: "conflict", message: "Freshsales says another contact holds this email, but its search does not show that contact yet" });
    const holds = holder.custom_field[contactIdField];
    if (typeof holds === "string" && holds !== "" && holds !== item.sourceId) {
      throw new SyncError({
        errorClass: "ambiguous_match",
        message: "Freshsales keeps one contact per email, and the contact with this email belongs to another commercetools customer",
        fields: { "candidate.1": `${holder.id} (commercetools ${holds})` },
      });
    }
    return upsertOne(call, contactsModule, { ...item, identifier: { emails: email } });
  };
}

/** People as contacts, upserted on `cf_ct_customer_id`; associates linked to their unit's sales account. */
export async function upsertPeople(call: WriteCall, people: Person[]): Promise<WriteOutcome[]> {
  const units = await idsOf(call, accountsModule, people.flatMap((p) => (p.companySourceId ? [p.companySourceId] : [])));
  const resolved = people.map((person): Resolved => {
    if (!person.companySourceId) return { item: { sourceId: person.sourceId, body: contactBody(person) }, links: [] };
    const account = units.get(person.companySourceId);
    if (!account) return { refused: missingLink("sales account for this person's business unit") };
    return { item: { sourceId: person.sourceId, body: contactBody(person, Number(account)) }, links: [[accountsModule, person.companySourceId]] };
  });
  const bySourceId = new Map(people.map((p) => [p.sourceId, p]));
  return writeResolved(call, resolved, (i) => people[i]!.sourceId, (items) => upsertAll(call, contactsModule, items, adoptByEmail(call, bySourceId)));
}
