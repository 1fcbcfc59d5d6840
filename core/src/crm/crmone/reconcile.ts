import { z } from "zod";
import { orderActivityKey } from "../../domain/keys";
import type { Company, OrderActivity, Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, ReconciledKind, SyncedPerson, SyncedRecord } from "../../ports/crm-outbound";
import { type Call, type CrmOneRecord, deleteRecord, findAll, listPage, pageSize, text } from "./api";
import { oldestFirstOrder } from "./converge-record";
import { accountFields, contactFields, models } from "./fields";
import { accountData, contactData, noteDescription, noteName } from "./mapping";
import { type KeyedList, readKeyRange } from "./synced-range";

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

/** A text value as reconciliation compares it: trimmed, empty as null. */
const textValue = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);

const companyCompared = ["name", "email1"] as const;

/** Account values compared, one normalised form on both sides (the email in lower case). */
function comparableCompany(values: Record<string, unknown>): Record<string, ComparableValue> {
  return Object.fromEntries(companyCompared.map((field) => [field, field === "email1" ? (textValue(values[field])?.toLowerCase() ?? null) : textValue(values[field])]));
}

/** The labelled lines of an order note compared: what the order's sync rewrites when the order changes. */
const orderLabels = { total: "Total", orderState: "Order state", paymentState: "Payment state", shipmentState: "Shipment state" } as const;

function comparableOrder(description: unknown): Record<string, ComparableValue> {
  const text = typeof description === "string" ? description : "";
  return Object.fromEntries(Object.entries(orderLabels).map(([key, label]) => [key, new RegExp(`^${label}: (.+)$`, "m").exec(text)?.[1]?.trim() ?? null]));
}

/** How each kind is found by its commercetools ID: the field holding its key, the key of an ID, the values compared. */
const synced: Record<ReconciledKind, KeyedList & { key(sourceId: string): string; values(record: CrmOneRecord): Record<string, ComparableValue> }> = {
  person: { model: models.person, keyField: contactFields.customerId, key: (id) => id, fields: ["id", "date_entered", ...compared], values: (r) => comparable(r) },
  company: { model: models.company, keyField: accountFields.businessUnitId, key: (id) => id, fields: ["id", "date_entered", ...companyCompared], values: comparableCompany },
  order: { model: models.order, keyField: "name", key: (id) => noteName({ activityKey: orderActivityKey(id) }), fields: ["id", "date_entered", "description"], values: (r) => comparableOrder(r.description) },
};

/** At most this many IDs a `readSynced` call (the port's bound). */
const maxReadSynced = 100;

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
  // Where the last range read of each kind ended (reconciliation reads slice after slice in ID order): a hint, checked.
  const hints = new Map<ReconciledKind, number>();
  const fields = ["id", "date_entered", contactFields.customerId, ...compared];
  return {
    expectedPersonValues(person: Person) {
      const written = contactData(person);
      const values = comparable(written);
      // Absent canonical values leave the contact's alone: not compared.
      for (const field of compared) if (!(field in written)) delete values[field];
      return values;
    },

    expectedValues(record: Company | OrderActivity) {
      if (record.kind === "order") return comparableOrder(noteDescription(record));
      const written = accountData(record, undefined);
      const values = comparableCompany(written);
      for (const field of companyCompared) if (!(field in written)) delete values[field];
      return values;
    },

    /**
     * Every record carrying each ID (two for one ID is a duplicate). 1CRM's
     * filters take one value each, so the IDs are read as a range of the
     * list sorted by their key (`readKeyRange`: one or two requests for a
     * slice following the last one); IDs the range read did not reach are
     * found one request each.
     */
    async readSynced(kind: ReconciledKind, sourceIds: string[], ctx: CallContext): Promise<SyncedRecord[]> {
      if (sourceIds.length > maxReadSynced) throw new Error(`readSynced takes at most ${maxReadSynced} IDs a call`);
      if (sourceIds.length === 0) return [];
      const c = await call(ctx);
      const how = synced[kind];
      const sourceOf = new Map(sourceIds.map((id) => [how.key(id).toLowerCase(), id]));
      const range = await readKeyRange(c, how, [...sourceOf.keys()], hints.get(kind) ?? 0);
      hints.set(kind, range.next);
      const found = [...range.records];
      for (const key of range.rest) found.push(...(await findAll(c, how.model, { [how.keyField]: key }, [...how.fields, how.keyField], oldestFirstOrder)));
      return found.map((record) => ({ crmId: record.id, sourceId: sourceOf.get((text(record, how.keyField) ?? "").toLowerCase())!, values: how.values(record) }));
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
