import { z } from "zod";
import type { Person } from "../../domain/model";
import { ensureCompanyLead } from "./companies";
import { contactHitFields, deleteQuietly, findByCustomValue, leadIdOf, type Call, type WriteResult } from "./context";
import { customKey } from "./field-names";
import { contactBody, personLeadBody } from "./mapping";
import { contactSchema, idOnlySchema, leadSchema, type SearchHit } from "./schemas";

/**
 * People. B2C: one lead per customer (named after them) holding their contact.
 * B2B: the contact sits under its business unit's lead. The contact is the
 * person's CRM record (its ID is the crmId); both carry the commercetools ID.
 */
export function findPersonContacts(call: Call, sourceId: string): Promise<SearchHit[]> {
  return findByCustomValue(call, "contact", call.schema.contact.customerId, sourceId, contactHitFields);
}

function findPersonLeads(call: Call, sourceId: string): Promise<SearchHit[]> {
  return findByCustomValue(call, "lead", call.schema.lead.customerId, sourceId, []);
}

/**
 * Keeps the oldest contact; deletes the others, and a duplicate's lead too when
 * it is this customer's own B2C lead and has nothing else left on it.
 */
async function removeDuplicates(call: Call, sourceId: string, keep: SearchHit, duplicates: SearchHit[]): Promise<void> {
  const leadSchemaWithIds = z.looseObject({ id: z.string(), contact_ids: z.array(z.string()).optional() });
  for (const duplicate of duplicates) {
    await deleteQuietly(call, `/contact/${duplicate.id}/`);
    call.logger?.warn("close: removed duplicate contact", { kept: keep.id, removed: duplicate.id, sourceId });
    const leadId = leadIdOf(duplicate);
    if (!leadId || leadId === leadIdOf(keep)) continue;
    const key = customKey(call.schema.lead.customerId);
    const lead = await call.http
      .request(call.ctx, "GET", `/lead/${leadId}/`, leadSchemaWithIds, { query: { _fields: `id,contact_ids,${key}` } })
      .catch(() => undefined);
    if (lead && lead[key] === sourceId && (lead.contact_ids ?? []).length === 0) await deleteQuietly(call, `/lead/${leadId}/`);
  }
}

/** Creates the person's records; answers the new contact's ID. */
async function create(call: Call, person: Person, companyLeadId: string | undefined): Promise<string> {
  const contact = contactBody(person, call.schema);
  if (companyLeadId) {
    return (await call.http.request(call.ctx, "POST", "/contact/", idOnlySchema, { body: { ...contact, lead_id: companyLeadId } })).id;
  }
  // A B2C lead may survive its contact (deleted in Close): reuse it rather than grow a second one.
  const [ownLead] = await findPersonLeads(call, person.sourceId);
  if (ownLead) {
    const created = await call.http.request(call.ctx, "POST", "/contact/", idOnlySchema, { body: { ...contact, lead_id: ownLead.id } });
    await call.http.request(call.ctx, "PUT", `/lead/${ownLead.id}/`, idOnlySchema, { body: personLeadBody(person, call.schema) });
    return created.id;
  }
  // One request creates lead and contact together: no moment with a lead lacking its contact.
  const lead = await call.http.request(call.ctx, "POST", "/lead/", leadSchema, {
    body: { ...personLeadBody(person, call.schema), contacts: [contact] },
  });
  const created = lead.contacts?.[0];
  if (!created) throw new Error("Close created the lead without its nested contact");
  return created.id;
}

/** Brings an existing contact (and, for B2C, its own lead) up to date; moves it if its lead changed. */
async function update(call: Call, person: Person, contact: SearchHit, companyLeadId: string | undefined): Promise<void> {
  let leadId = companyLeadId;
  if (!leadId) {
    const [ownLead] = await findPersonLeads(call, person.sourceId);
    leadId =
      ownLead?.id ?? (await call.http.request(call.ctx, "POST", "/lead/", idOnlySchema, { body: personLeadBody(person, call.schema) })).id;
    if (ownLead) await call.http.request(call.ctx, "PUT", `/lead/${leadId}/`, idOnlySchema, { body: personLeadBody(person, call.schema) });
  }
  const move = leadIdOf(contact) !== leadId ? { lead_id: leadId } : {};
  await call.http.request(call.ctx, "PUT", `/contact/${contact.id}/`, contactSchema, { body: { ...contactBody(person, call.schema), ...move } });
}

/**
 * Find by commercetools ID, then update or create.
 *
 * Why a lock and a re-check: Close has no upsert and no unique constraint, so
 * find-then-create races. The in-process keyed lock makes concurrent
 * deliveries inside one instance queue up (the second one finds the first's
 * record). Deliveries in different instances can still both create; the
 * re-check after creating sees both and every writer keeps the oldest and
 * deletes the rest, so they converge on one record. (Close search is
 * near-real-time; a duplicate the re-check misses is left to reconciliation.)
 */
export async function upsertPerson(call: Call, person: Person): Promise<WriteResult> {
  const companyLeadId = person.companySourceId ? await ensureCompanyLead(call, person.companySourceId, person.companyName) : undefined;
  return call.mutex.run(`person:${person.sourceId}`, async () => {
    const existing = await findPersonContacts(call, person.sourceId);
    if (existing[0]) {
      await removeDuplicates(call, person.sourceId, existing[0], existing.slice(1));
      await update(call, person, existing[0], companyLeadId);
      return { crmId: existing[0].id, created: false };
    }
    const createdId = await create(call, person, companyLeadId);
    const after = await findPersonContacts(call, person.sourceId);
    const keep = after[0];
    if (!keep || keep.id === createdId) {
      if (keep) await removeDuplicates(call, person.sourceId, keep, after.slice(1));
      return { crmId: createdId, created: true };
    }
    // Another writer got there first: ours goes, and our (possibly newer) data lands on theirs.
    await removeDuplicates(call, person.sourceId, keep, after.slice(1));
    await update(call, person, keep, companyLeadId);
    return { crmId: keep.id, created: false };
  });
}

/**
 * The contact and lead an order hangs off. A customer not synced yet gets a
 * minimal contact (ID, email, unit) that the customer's own sync completes:
 * orders may arrive before their customer.
 */
export async function ensurePersonContact(
  call: Call,
  placeholder: Pick<Person, "sourceId" | "email" | "companySourceId">,
): Promise<{ contactId: string; leadId: string }> {
  const companyLeadId = placeholder.companySourceId ? await ensureCompanyLead(call, placeholder.companySourceId, undefined) : undefined;
  return call.mutex.run(`person:${placeholder.sourceId}`, async () => {
    const existing = await findPersonContacts(call, placeholder.sourceId);
    if (!existing[0]) {
      const person: Person = { kind: "person", sourceVersion: 0, ...placeholder };
      await create(call, person, companyLeadId);
    }
    const after = existing[0] ? existing : await findPersonContacts(call, placeholder.sourceId);
    const keep = after[0];
    const leadId = keep ? leadIdOf(keep) : undefined;
    if (!keep || !leadId) throw new Error("Close contact not found after creation");
    await removeDuplicates(call, placeholder.sourceId, keep, after.slice(1));
    return { contactId: keep.id, leadId };
  });
}
