import { z } from "zod";
import type { Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, SyncedPerson } from "../../ports/crm-outbound";
import { type Call, type CrmOneRecord, deleteRecord, listPage, pageSize, text } from "./api";
import { oldestFirstOrder } from "./converge-record";
import { contactFields, models } from "./fields";
import { contactData } from "./mapping";

const compared = ["first_name", "last_name", "email1", "phone_mobile", "phone_work"] as const;

/** Contact values compared by reconciliation, one normalised form on both sides (emails in lower case). */
function comparable(values: Record<string, unknown>): Record<string, ComparableValue> {
  return Object.fromEntries(
    compared.map((field) => {
      const value = typeof values[field] === "string" && values[field] !== "" ? (values[field] as string) : null;
      return [field, field === "email1" && value ? value.toLowerCase() : value];
    }),
  );
}

/**
 * Where the next page ends: the window below `end`, and the first contact
 * already read (`date_entered`, `id`), which no later page may repeat.
 */
const positionSchema = z.object({ enteredAt: z.string(), id: z.string() });
type Position = z.infer<typeof positionSchema>;
const cursorSchema = z.object({ end: z.number().int().min(0), first: positionSchema.optional() });
type Cursor = z.infer<typeof cursorSchema>;
const encode = (cursor: Cursor) => JSON.stringify(cursor);
/** Cursors are ours, passed back by the caller; one that is not is a bug, not a page. */
const decode = (cursor: string): Cursor => cursorSchema.parse(JSON.parse(cursor));

const position = (record: CrmOneRecord): Position => ({ enteredAt: text(record, "date_entered") ?? "", id: record.id });
const atOrAfter = (a: Position, b: Position) => a.enteredAt > b.enteredAt || (a.enteredAt === b.enteredAt && a.id >= b.id);

/**
 * The synced population: every contact, oldest first, read in windows of 200
 * from the newest end down (`offset`/`limit`, `total_results` says where the
 * end is). Reading downwards keeps the windows still while reconciliation
 * deletes what it has read, and while new contacts arrive (they sort last);
 * a contact deleted by someone else below the window moves the ones above
 * down by one, and the one that slides into the window from above is
 * recognised by the cursor and skipped. Contacts without `ct_customer_id`
 * are the merchant's own and are not ours to compare.
 */
export function crmOneReconciliation(call: (ctx: CallContext) => Promise<Call>): CrmReconciliation {
  const fields = ["id", "date_entered", contactFields.customerId, ...compared];
  return {
    expectedPersonValues(person: Person) {
      const written = contactData(person);
      const values = comparable(written);
      // Absent canonical values leave the contact's alone: not compared.
      for (const field of compared) if (!(field in written)) delete values[field];
      return values;
    },

    async listPeople(cursor: string | undefined, ctx: CallContext) {
      const c = await call(ctx);
      const at = cursor ? decode(cursor) : undefined;
      const end = at?.end ?? (await listPage(c, models.person, { fields: ["id"], limit: 1 })).total;
      const offset = Math.max(0, end - pageSize);
      const { records } = end > 0 ? await listPage(c, models.person, { fields, order: oldestFirstOrder, offset, limit: end - offset }) : { records: [] };
      const fresh = at?.first ? records.filter((r) => !atOrAfter(position(r), at.first!)) : records;
      const people: SyncedPerson[] = fresh.flatMap((r) => {
        const sourceId = text(r, contactFields.customerId);
        return sourceId ? [{ crmId: r.id, sourceId, values: comparable(r) }] : [];
      });
      const first = fresh[0] ? position(fresh[0]) : at?.first;
      return offset > 0 ? { people, cursor: encode({ end: offset, ...(first ? { first } : {}) }) } : { people };
    },

    async deletePerson(crmId: string, ctx: CallContext) {
      await deleteRecord(await call(ctx), models.person, crmId);
    },
  };
}
