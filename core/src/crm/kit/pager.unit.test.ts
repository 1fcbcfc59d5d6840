import { describe, expect, it } from "vitest";
import { byOffset, readAll, type Page } from "./pager";

/** A cursor source over `items`, `size` a page; cursors are the next index as a string. */
function cursorSource(items: number[], size: number) {
  const asked: (string | undefined)[] = [];
  const read = async (cursor: string | undefined): Promise<Page<number, string>> => {
    asked.push(cursor);
    const from = Number(cursor ?? 0);
    const next = from + size < items.length ? String(from + size) : null;
    return { items: items.slice(from, from + size), next };
  };
  return { read, asked };
}

describe("pager", () => {
  it("follows a cursor until the source names no next page", async () => {
    const source = cursorSource([1, 2, 3, 4, 5], 2);
    expect(await readAll(source.read, { maxPages: 10, atCap: "fail" })).toEqual([1, 2, 3, 4, 5]);
    expect(source.asked).toEqual([undefined, "2", "4"]);
  });

  it("treats an empty-string cursor as the last page", async () => {
    let calls = 0;
    const items = await readAll(async () => ({ items: [++calls], next: "" }), { maxPages: 10, atCap: "fail" });
    expect(items).toEqual([1]);
  });

  it("at the page cap keeps what it read, or fails, as the caller chose", async () => {
    const endless = async (cursor: number | undefined): Promise<Page<number, number>> => ({ items: [cursor ?? 0], next: (cursor ?? 0) + 1 });
    expect(await readAll(endless, { maxPages: 3, atCap: "stop" })).toEqual([0, 1, 2]);
    await expect(readAll(endless, { maxPages: 3, atCap: "fail" })).rejects.toMatchObject({ errorClass: "unknown", message: expect.stringContaining("3 pages") });
  });

  it("pages by offset until the source has no more, and stops on an empty page whatever it announces", async () => {
    const rows = Array.from({ length: 7 }, (_, i) => i);
    const asked: [number, number][] = [];
    const read = byOffset(3, async (offset, limit) => {
      asked.push([offset, limit]);
      return { items: rows.slice(offset, offset + limit), hasMore: offset + limit < rows.length };
    });
    expect(await readAll(read, { maxPages: 100, atCap: "fail" })).toEqual(rows);
    expect(asked).toEqual([[0, 3], [3, 3], [6, 3]]);

    const liar = byOffset(3, async () => ({ items: [], hasMore: true }));
    expect(await readAll(liar, { maxPages: 100, atCap: "fail" })).toEqual([]);
  });
});
