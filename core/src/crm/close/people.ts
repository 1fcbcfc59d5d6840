import { z } from "zod";
import type { Person } from "../../domain/model";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { convergeAll, type ConvergeSteps, type KeyGuard } from "../kit/converge";
import { RecordOutcomes, runsWithoutRepeats } from "../kit/record-writer";
import { ensureCompanyLead } from "./companies";
import { removeQuietly, send, type Call } from "./connection";
import { customKey } from "./field-names";
import { contactBody, personLeadBody } from "./mapping";
import { contactSchema, idOnlySchema, leadSchema, type SearchHit } from "./schemas";
import { contactHitFields, createdAt, findByCustomValues, leadIdOf } from "./search";

/**
 * People. B2C: one lead per customer (named after them) holding their contact.
 * B2B: the contact sits under its business unit's lead. The contact is the
 * person's CRM record (its ID is the crmId); both carry the commercetools ID.
 */
export function findContactsOf(call: Call, sourceIds: string[]): Promise<Map<string, SearchHit[]>> {
  return findByCustomValues(call, "contact", call.schema.contact.customerId, sourceIds, contactHitFields);
}

/** B2C people's own leads in one search, by commercetools ID. */
function findOwnLeadsOf(call: Call, sourceIds: string[]): Promise<Map<string, SearchHit[]>> {
  return findByCustomValues(call, "lead", call.schema.lead.customerId, sourceIds, []);
}

/** A person's own lead as it is now (after duplicates went, and maybe an emptied lead of theirs with them). */
async function currentOwnLead(call: Call, person: Person): Promise<SearchHit | undefined> {
  return person.companySourceId ? undefined : (await findOwnLeadsOf(call, [person.sourceId])).get(person.sourceId)![0];
}

const leadWithContacts = z.looseObject({ id: z.string(), contact_ids: z.array(z.string()).optional() });

/** Deletes a lead when it is this customer's own B2C lead with nothing left on it (a duplicate's, or one a failed clean-up left). */
async function removeEmptyOwnLead(call: Call, sourceId: string, leadId: string): Promise<void> {
  const key = customKey(call.schema.lead.customerId);
  const lead = await send(call, "GET", `/lead/${leadId}/`, leadWithContacts, { query: { _fields: `id,contact_ids,${key}` } }).catch(() => undefined);
  if (lead && lead[key] === sourceId && (lead.contact_ids ?? []).length === 0) await removeQuietly(call, `/lead/${leadId}/`);
}

/** Deletes a duplicate contact, and its lead too when that is this customer's own B2C lead with nothing else left on it. */
async function removeDuplicate(call: Call, sourceId: string, duplicate: SearchHit, survivor: SearchHit): Promise<void> {
  await removeQuietly(call, `/contact/${duplicate.id}/`);
  call.logger.warn("close: removed duplicate contact", { kept: survivor.id, removed: duplicate.id, sourceId });
  const leadId = leadIdOf(duplicate);
  if (leadId && leadId !== leadIdOf(survivor)) await removeEmptyOwnLead(call, sourceId, leadId);
}

/**
 * Creates the person's records; answers the new contact. `ownLead`: the B2C
 * person's lead as found, since a lead may survive its contact (deleted in
 * Close): it is reused rather than a second one grown.
 */
async function create(call: Call, person: Person, companyLeadId: string | undefined, ownLead: SearchHit | undefined): Promise<SearchHit> {
  const contact = contactBody(person, call.schema);
  const asHit = (created: z.infer<typeof contactSchema>): SearchHit => ({ __object_type: "contact", ...created });
  const leadId = companyLeadId ?? ownLead?.id;
  if (leadId) {
    const created = await send(call, "POST", "/contact/", contactSchema, { json: { ...contact, lead_id: leadId } });
    if (!companyLeadId && ownLead) await send(call, "PUT", `/lead/${ownLead.id}/`, idOnlySchema, { json: personLeadBody(person, call.schema) });
    return asHit(created);
  }
  // One request creates lead and contact together: no moment with a lead lacking its contact.
  const lead = await send(call, "POST", "/lead/", leadSchema, { json: { ...personLeadBody(person, call.schema), contacts: [contact] } });
  const created = lead.contacts?.[0];
  if (!created) throw new Error("Close created the lead without its nested contact");
  return asHit({ ...created, lead_id: lead.id });
}

/** Brings an existing contact (and, for B2C, its own lead as found) up to date; moves it if its lead changed. */
async function update(call: Call, person: Person, contact: SearchHit, companyLeadId: string | undefined, ownLead: SearchHit | undefined): Promise<void> {
  let leadId = companyLeadId;
  if (!leadId) {
    leadId = ownLead?.id ?? (await send(call, "POST", "/lead/", idOnlySchema, { json: personLeadBody(person, call.schema) })).id;
    if (ownLead) await send(call, "PUT", `/lead/${leadId}/`, idOnlySchema, { json: personLeadBody(person, call.schema) });
  }
  const move = leadIdOf(contact) !== leadId ? { lead_id: leadId } : {};
  await send(call, "PUT", `/contact/${contact.id}/`, contactSchema, { json: { ...contactBody(person, call.schema), ...move } });
}

/** What a person's convergence knows before it starts: the unit's lead (B2B) and, when writing a person, their own lead as found (B2C). */
type Known = { person: Person; companyLeadId?: string | undefined; ownLead?: SearchHit | undefined; otherOwnLeads?: SearchHit[] };

/**
 * One contact per person, found by commercetools ID and converged (see
 * converge): people found together, the ones created re-checked together.
 * "write": the person's data lands on the contact found; "placeholder": a
 * contact found is left as it is, and the own lead is looked up only to create.
 */
async function convergePeople(call: Call, known: Map<string, Known>, mode: "write" | "placeholder", guard?: KeyGuard) {
  const of = (sourceId: string) => known.get(sourceId)!;
  if (mode === "write") {
    const b2c = [...known.values()].filter((k) => !k.person.companySourceId).map((k) => k.person.sourceId);
    const ownLeads = await findOwnLeadsOf(call, b2c);
    for (const sourceId of b2c) {
      const [first, ...others] = ownLeads.get(sourceId)!;
      Object.assign(of(sourceId), { ownLead: first, otherOwnLeads: others });
    }
  }
  const steps: ConvergeSteps<SearchHit> = {
    find: (sourceIds) => findContactsOf(call, sourceIds),
    async create(sourceId) {
      const { person, companyLeadId, ownLead } = of(sourceId);
      return create(call, person, companyLeadId, mode === "write" ? ownLead : await currentOwnLead(call, person));
    },
    createdAt,
    remove: (duplicate, survivor, sourceId) => removeDuplicate(call, sourceId, duplicate, survivor),
  };
  if (mode === "write") {
    steps.update = async (survivor, duplicates, sourceId) => {
      const { person, companyLeadId, ownLead } = of(sourceId);
      await update(call, person, survivor, companyLeadId, duplicates.length > 0 ? await currentOwnLead(call, person) : ownLead);
    };
  }
  const results = await convergeAll([...known.keys()], steps, guard);
  // A second own lead (a clean-up that failed half-way, or another instance's creation) goes once it is empty.
  for (const [sourceId, { survivor }] of results) {
    for (const lead of of(sourceId).otherOwnLeads ?? []) if (lead.id !== leadIdOf(survivor)) await removeEmptyOwnLead(call, sourceId, lead.id);
  }
  return results;
}

/**
 * People of one call, each found by commercetools ID, then updated or created.
 * The finds are batched: one search for the people's contacts, one for the B2C
 * people's own leads, one re-check of those created. Outcomes in input order;
 * a record Close refuses is that record's failure, anything else fails the call.
 * The in-process keyed lock (every person of the batch, taken before the
 * search) queues concurrent writers of a person inside one instance; writers
 * in different instances converge through the re-check. (Close search is
 * near-real-time; a duplicate the re-check misses is left to reconciliation.)
 */
export async function upsertPeople(call: Call, people: Person[]): Promise<WriteOutcome[]> {
  const book = new RecordOutcomes(people);
  // The same person twice would be found once and created twice: such a batch is written in runs without repeats.
  for (const run of runsWithoutRepeats(people, (p) => p.sourceId)) {
    const known = new Map<string, Known & { index: number }>();
    for (const { record: person, index } of run) {
      await book.attempt(index, async () => {
        const companyLeadId = person.companySourceId ? await ensureCompanyLead(call, person.companySourceId, person.companyName) : undefined;
        known.set(person.sourceId, { person, companyLeadId, index });
      });
    }
    const index = (sourceId: string) => known.get(sourceId)!.index;
    await call.lock.runAll([...known.keys()].map((id) => `person:${id}`), async () => {
      const results = await convergePeople(call, known, "write", (sourceId, step) => book.attempt(index(sourceId), step));
      for (const [sourceId, { survivor, created }] of results) book.succeed(index(sourceId), { crmId: survivor.id, created });
    });
  }
  return book.outcomes();
}

/**
 * The contact and lead an order hangs off. A customer not synced yet gets a
 * minimal contact (ID, email, unit) that the customer's own sync completes:
 * orders may arrive before their customer.
 */
export async function ensurePersonContact(call: Call, placeholder: Pick<Person, "sourceId" | "email" | "companySourceId">): Promise<{ contactId: string; leadId: string }> {
  const companyLeadId = placeholder.companySourceId ? await ensureCompanyLead(call, placeholder.companySourceId, undefined) : undefined;
  return call.lock.run(`person:${placeholder.sourceId}`, async () => {
    const person: Person = { kind: "person", sourceVersion: 0, ...placeholder };
    const results = await convergePeople(call, new Map([[person.sourceId, { person, companyLeadId }]]), "placeholder");
    const { survivor } = results.get(person.sourceId)!;
    const leadId = leadIdOf(survivor);
    if (!leadId) throw new Error("Close contact without a lead");
    return { contactId: survivor.id, leadId };
  });
}
