import { type Call, type CrmOneRecord, listPage, pageSize, text } from "./api";

/** A kind of synced record as a sorted list: the field holding its key, and what else a read asks for. */
export type KeyedList = { model: string; keyField: string; fields: readonly string[] };

/** Keys compare as the instance sorts them (MySQL's default collation ignores case). */
const collated = (key: string) => key.toLowerCase();
const before = (a: string, b: string) => collated(a) < collated(b);

/** Pages one read walks forward from where the keys start before it stops and answers what it read. */
const maxWalkPages = 3;

/**
 * The records carrying any of `keys`, read from the model's list sorted by
 * the key field: 1CRM's filters take one value each (no `in`), but a list
 * sorted by the key holds the records of neighbouring keys side by side.
 * Reconciliation asks for IDs in ID order, slice after slice, so the next
 * slice starts where the last ended: `hint` is that offset, checked with the
 * row before it (a row there sorting before the first key means nothing at
 * or after the first key lies before it), else found again by a binary
 * search over pages. Keys past what `maxWalkPages` pages reach are left for
 * the caller (`rest`).
 */
export async function readKeyRange(
  call: Call,
  list: KeyedList,
  keys: readonly string[],
  hint: number,
): Promise<{ records: CrmOneRecord[]; rest: string[]; next: number }> {
  const sorted = [...new Set(keys)].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  const [first, last] = [sorted[0]!, sorted.at(-1)!];
  const keyOf = (record: CrmOneRecord) => text(record, list.keyField) ?? "";
  const read = async (offset: number) => ({
    offset,
    ...(await listPage(call, list.model, { fields: [...list.fields, list.keyField], order: `${list.keyField} ASC, id ASC`, offset, limit: pageSize })),
  });

  // A page holding the first key's place: its first row sorts before the first key (or it starts the list), and it
  // reaches the first key (or the end of the list).
  let page = await read(Math.max(0, hint - 1));
  const startsBefore = (p: typeof page) => p.offset === 0 || (p.records[0] !== undefined && before(keyOf(p.records[0]), first));
  const reaches = (p: typeof page) => p.records.length < pageSize || p.records.some((record) => !before(keyOf(record), first));
  if (!startsBefore(page) || !reaches(page)) {
    // Binary search: the row at `low` sorts before the first key (-1: none), the first key's place is at `high` or before.
    let [low, high] = startsBefore(page) ? [page.offset + page.records.length - 1, page.total] : [-1, page.offset];
    for (;;) {
      if (high - low <= pageSize) {
        page = await read(Math.max(0, low));
        break;
      }
      const probe = await read(Math.floor((low + high) / 2));
      if (!startsBefore(probe)) {
        high = probe.offset;
        continue;
      }
      if (reaches(probe)) {
        page = probe;
        break;
      }
      low = probe.offset + probe.records.length - 1;
    }
  }

  const wanted = new Set(sorted.map(collated));
  const records: CrmOneRecord[] = [];
  let lastRead = "";
  for (let walked = 1; ; walked++) {
    for (const record of page.records) {
      if (wanted.has(collated(keyOf(record)))) records.push(record);
      lastRead = keyOf(record);
    }
    const end = page.offset + page.records.length;
    const done = page.records.length < pageSize || before(last, lastRead);
    if (done || walked === maxWalkPages) {
      // Stopped inside the keys: the last key read may go on in the next page, so it is left for the caller whole.
      const rest = done ? [] : sorted.filter((key) => !before(key, lastRead));
      const restSet = new Set(rest.map(collated));
      const boundary = page.records.findIndex((record) => before(last, keyOf(record)));
      return { records: records.filter((record) => !restSet.has(collated(keyOf(record)))), rest, next: boundary >= 0 ? page.offset + boundary : end };
    }
    page = await read(end);
  }
}
