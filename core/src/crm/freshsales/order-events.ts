import { z } from "zod";
import { SyncError, type SyncErrorDetails } from "../../domain/errors";
import { formatMoney } from "../../domain/money";
import type { OrderEvent } from "../../domain/model";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { convergeAll, type ConvergeSteps, type KeyGuard } from "../kit/converge";
import { RecordOutcomes } from "../kit/record-writer";
import { send } from "./connection";
import { idsOf, missingLink } from "./linked-ids";
import { accountsModule, contactsModule, type ModuleSpec, type WriteCall } from "./modules";
import { noteSchema, type FreshsalesNote } from "./schemas";

/** Where a note hangs: a contact, else (an order of a business unit without a person) its sales account. */
type Target = { spec: ModuleSpec; type: "Contact" | "SalesAccount"; sourceId: string; id: string };

/**
 * The note's last line names the order and the entry's key: Freshsales
 * notes have no custom fields, so the key lives in the text, on a line of
 * its own that nothing else writes.
 */
const keyLine = (event: OrderEvent) => `commercetools order ${event.orderSourceId} · entry ${event.sourceId}`;
export const keyLinePattern = /^commercetools order (\S+) · entry (\S+)$/m;

const at = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** "Order 1234 refunded · 12.34 EUR", the detail, when it happened, the key line. No personal data. */
export function noteText(event: OrderEvent): string {
  const title = `Order ${event.orderNumber ?? event.orderSourceId} ${event.type}${event.amount ? ` · ${formatMoney(event.amount)}` : ""}`;
  return [title, event.detail, `On ${at(event.at)}`, keyLine(event)].filter((line) => line !== undefined && line !== "").join("\n");
}

const keyOf = (note: FreshsalesNote) => keyLinePattern.exec(note.description ?? "")?.[2];

/**
 * The notes of one record, sideloaded by `include=notes` (Freshsales answers
 * them beside the record, not in it): a direct read, no search index, so a
 * note just written is seen.
 */
async function notesOf(call: WriteCall, target: Target): Promise<FreshsalesNote[]> {
  const answer = z.object({ notes: z.array(noteSchema).nullish() });
  const found = await send(call, "GET", `/${target.spec.module}/${target.id}`, answer, { query: { include: "notes" } });
  return found.notes ?? [];
}

/** Find (one read of the record's notes for all its keys) → create → re-check → keep the oldest, delete the rest. */
function noteSteps(call: WriteCall, target: Target, byKey: Map<string, OrderEvent>): ConvergeSteps<FreshsalesNote> {
  return {
    async find(keys) {
      const wanted = new Set(keys);
      const found = new Map<string, FreshsalesNote[]>();
      for (const note of await notesOf(call, target)) {
        const key = keyOf(note);
        if (key && wanted.has(key)) found.set(key, [...(found.get(key) ?? []), note]);
      }
      return found;
    },
    async create(key) {
      const json = { note: { description: noteText(byKey.get(key)!), targetable_type: target.type, targetable_id: Number(target.id) } };
      return (await send(call, "POST", "/notes", z.object({ note: noteSchema }), { json })).note;
    },
    createdAt: (note) => note.created_at,
    async remove(duplicate) {
      await call.api.transport.send(call.ctx, { method: "DELETE", path: `/notes/${duplicate.id}` }).catch((error: unknown) => {
        // Another writer converged first and deleted it.
        if (!(error instanceof SyncError && error.errorClass === "not_found")) throw error;
      });
    },
  };
}

function targetOf(event: OrderEvent, contacts: Map<string, string>, accounts: Map<string, string>): Target | { refused: SyncErrorDetails } {
  if (event.personSourceId) {
    const id = contacts.get(event.personSourceId);
    return id ? { spec: contactsModule, type: "Contact", sourceId: event.personSourceId, id } : { refused: missingLink("contact for this order's customer") };
  }
  if (event.companySourceId) {
    const id = accounts.get(event.companySourceId);
    return id ? { spec: accountsModule, type: "SalesAccount", sourceId: event.companySourceId, id } : { refused: missingLink("sales account for this order's business unit") };
  }
  return { refused: { errorClass: "validation", message: "the order event names neither a customer nor a business unit to note it on" } };
}

/**
 * Each order transition as one note on the customer's contact (or the
 * unit's sales account), keyed by the event's key in its text. Freshsales
 * has no upsert for notes: the kit's convergence keeps one per key across
 * concurrent writers; a note already there is left as it is. One read per
 * record noted on, one create per new entry (notes have no batch write).
 */
export async function recordOrderEvents(call: WriteCall, events: OrderEvent[]): Promise<WriteOutcome[]> {
  const book = new RecordOutcomes(events);
  const contacts = await idsOf(call, contactsModule, events.flatMap((e) => (e.personSourceId ? [e.personSourceId] : [])));
  const accounts = await idsOf(call, accountsModule, events.flatMap((e) => (!e.personSourceId && e.companySourceId ? [e.companySourceId] : [])));
  type Group = { target: Target; byKey: Map<string, OrderEvent>; positions: number[] };
  const groups = new Map<string, Group>();
  for (const [i, event] of events.entries()) {
    const target = targetOf(event, contacts, accounts);
    if ("refused" in target) {
      await book.attempt(i, () => Promise.reject(new SyncError(target.refused)));
      continue;
    }
    const group: Group = groups.get(`${target.type}:${target.id}`) ?? { target, byKey: new Map(), positions: [] };
    groups.set(`${target.type}:${target.id}`, group);
    group.byKey.set(event.sourceId, event);
    group.positions.push(i);
  }
  for (const { target, byKey, positions } of groups.values()) {
    const failures = new Map<string, unknown>();
    const guard: KeyGuard = (key, step) => step().catch((error: unknown) => void failures.set(key, error));
    let converged;
    try {
      converged = await convergeAll([...byKey.keys()], noteSteps(call, target, byKey), guard);
    } catch (error) {
      // The record noted on is gone (deleted in Freshsales): its ID is forgotten, and the next write looks it up afresh.
      if (!(error instanceof SyncError && error.errorClass === "not_found")) throw error;
      call.known.forget(target.spec.module, target.sourceId);
      for (const i of positions) await book.attempt(i, () => Promise.reject(new SyncError(missingLink(`${target.type === "Contact" ? "contact" : "sales account"} to note this order event on`))));
      continue;
    }
    const answered = new Set<string>();
    for (const i of positions) {
      const key = events[i]!.sourceId;
      await book.attempt(i, async () => {
        const done = converged.get(key);
        if (!done) throw failures.get(key);
        book.succeed(i, { crmId: done.survivor.id, created: done.created && !answered.has(key) });
        answered.add(key);
      });
    }
  }
  return book.outcomes();
}
