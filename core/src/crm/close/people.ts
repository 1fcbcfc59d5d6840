import { z } from "zod";
import type { Person } from "../../domain/model";
import { ensureCompanyLead } from "./companies";
import type { SyncErrorDetails } from "../../domain/errors";
import { contactHitFields, deleteQuietly, findByCustomValue, findByCustomValues, leadIdOf, type Call, type WriteResult } from "./context";
import { recordLevelFailure } from "./errors";
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

/** Contacts of many people in one search, by commercetools ID. */
export function findContactsOf(call: Call, sourceIds: string[]): Promise<Map<string, SearchHit[]>> {
  return findByCustomValues(call, "contact", call.schema.contact.customerId, sourceIds, contactHitFields);
}

/** B2C people's own leads in one search, by commercetools ID. */
function findOwnLeadsOf(call: Call, sourceIds: string[]): Promise<Map<string, SearchHit[]>> {
  return findByCustomValues(call, "lead", call.schema.lead.customerId, sourceIds, []);
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

/**
 * Creates the person's records; answers the new contact's ID. `ownLead`: the
 * B2C person's lead as found, since a lead may survive its contact (deleted in
 * Close): it is reused rather than a second one grown.
 */
async function create(call: Call, person: Person, companyLeadId: string | undefined, ownLead: SearchHit | undefined): Promise<string> {
  const contact = contactBody(person, call.schema);
  if (companyLeadId) {
    return (await call.http.request(call.ctx, "POST", "/contact/", idOnlySchema, { body: { ...contact, lead_id: companyLeadId } })).id;
  }
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

/** Brings an existing contact (and, for B2C, its own lead as found) up to date; moves it if its lead changed. */
async function update(call: Call, person: Person, contact: SearchHit, companyLeadId: string | undefined, ownLead: SearchHit | undefined): Promise<void> {
  let leadId = companyLeadId;
  if (!leadId) {
    leadId =
      ownLead?.id ?? (await call.http.request(call.ctx, "POST", "/lead/", idOnlySchema, { body: personLeadBody(person, call.schema) })).id;
    if (ownLead) await call.http.request(call.ctx, "PUT", `/lead/${leadId}/`, idOnlySchema, { body: personLeadBody(person, call.schema) });
  }
  const move = leadIdOf(contact) !== leadId ? { lead_id: leadId } : {};
  await call.http.request(call.ctx, "PUT", `/contact/${contact.id}/`, contactSchema, { body: { ...contactBody(person, call.schema), ...move } });
}

export type PersonResult = { ok: true; result: WriteResult } | { ok: false; error: SyncErrorDetails };

/**
 * People of one call, each found by commercetools ID, then updated or created.
 * The finds are batched: one search for the people's contacts, one for the B2C
 * people's own leads, one re-check of those created. Results in input order;
 * a record Close refuses is that record's failure, anything else fails the call.
 *
 * Why a lock and a re-check: Close has no upsert and no unique constraint, so
 * find-then-create races. The in-process keyed lock (every person of the
 * batch, taken before the search) makes concurrent writers of a person inside
 * one instance queue up (the later one finds the earlier one's record).
 * Writers in different instances can still both create; the re-check after
 * creating sees both and every writer keeps the oldest and deletes the rest,
 * so they converge on one record. (Close search is near-real-time; a
 * duplicate the re-check misses is left to reconciliation.)
 */
export async function upsertPeople(call: Call, people: Person[]): Promise<PersonResult[]> {
  const results: PersonResult[] = [];
  // The same person twice would be found once and created twice: such a batch is written in runs without repeats.
  for (const run of runsWithoutRepeats(people)) results.push(...(await upsertDistinctPeople(call, run)));
  return results;
}

function runsWithoutRepeats(people: Person[]): Person[][] {
  const runs: Person[][] = [[]];
  let seen = new Set<string>();
  for (const person of people) {
    if (seen.has(person.sourceId)) {
      runs.push([]);
      seen = new Set();
    }
    seen.add(person.sourceId);
    runs.at(-1)!.push(person);
  }
  return runs.filter((run) => run.length > 0);
}

async function upsertDistinctPeople(call: Call, people: Person[]): Promise<PersonResult[]> {
  const results = new Map<Person, PersonResult>();
  const companyLeads = new Map<Person, string>();
  for (const person of people) {
    if (!person.companySourceId) continue;
    try {
      companyLeads.set(person, await ensureCompanyLead(call, person.companySourceId, person.companyName));
    } catch (raw) {
      results.set(person, { ok: false, error: recordLevelFailure(raw) });
    }
  }
  const pending = people.filter((p) => !results.has(p));
  await call.mutex.runAll(
    pending.map((p) => `person:${p.sourceId}`),
    async () => {
      const contacts = await findContactsOf(call, pending.map((p) => p.sourceId));
      const ownLeads = await findOwnLeadsOf(call, pending.filter((p) => !p.companySourceId).map((p) => p.sourceId));
      const created: { person: Person; contactId: string }[] = [];
      // After duplicates went (and with them, maybe, an emptied lead of this person), the own lead as it is now.
      const currentOwnLead = async (person: Person) => (person.companySourceId ? undefined : (await findOwnLeadsOf(call, [person.sourceId])).get(person.sourceId)![0]);
      const settle = async (person: Person, write: () => Promise<WriteResult | undefined>) => {
        try {
          const result = await write();
          if (result) results.set(person, { ok: true, result });
        } catch (raw) {
          results.set(person, { ok: false, error: recordLevelFailure(raw) });
        }
      };
      for (const person of pending) {
        const [keep, ...duplicates] = contacts.get(person.sourceId)!;
        const ownLead = ownLeads.get(person.sourceId)?.[0];
        await settle(person, async () => {
          if (keep) {
            await removeDuplicates(call, person.sourceId, keep, duplicates);
            await update(call, person, keep, companyLeads.get(person), duplicates.length > 0 ? await currentOwnLead(person) : ownLead);
            return { crmId: keep.id, created: false };
          }
          created.push({ person, contactId: await create(call, person, companyLeads.get(person), ownLead) });
          return undefined;
        });
      }
      const after = await findContactsOf(call, created.map((c) => c.person.sourceId));
      for (const { person, contactId } of created) {
        const [keep, ...duplicates] = after.get(person.sourceId)!;
        await settle(person, async () => {
          if (keep) await removeDuplicates(call, person.sourceId, keep, duplicates);
          if (!keep || keep.id === contactId) return { crmId: contactId, created: true };
          // Another writer got there first: ours went with the duplicates, and our (possibly newer) data lands on theirs.
          await update(call, person, keep, companyLeads.get(person), await currentOwnLead(person));
          return { crmId: keep.id, created: false };
        });
      }
    },
  );
  return people.map((p) => results.get(p)!);
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
      const ownLead = companyLeadId ? undefined : (await findOwnLeadsOf(call, [placeholder.sourceId])).get(placeholder.sourceId)![0];
      await create(call, person, companyLeadId, ownLead);
    }
    const after = existing[0] ? existing : await findPersonContacts(call, placeholder.sourceId);
    const keep = after[0];
    const leadId = keep ? leadIdOf(keep) : undefined;
    if (!keep || !leadId) throw new Error("Close contact not found after creation");
    await removeDuplicates(call, placeholder.sourceId, keep, after.slice(1));
    return { contactId: keep.id, leadId };
  });
}
