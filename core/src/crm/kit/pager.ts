import { SyncError } from "../../domain/errors";

/** One page of a list: its items and where the next page starts (absent, null or "" on the last page). */
export type Page<T, C> = { items: readonly T[]; next?: C | null | undefined };

/** Reads the page that starts at `cursor` (undefined: the first page). */
export type PageReader<T, C> = (cursor: C | undefined) => Promise<Page<T, C>>;

export type PagingOptions = {
  /** Pages read at most: a source that keeps announcing more (a runaway match, a paging bug) is cut off here. */
  maxPages: number;
  /**
   * At the cap: "stop" answers what was read (callers that only narrow and
   * decide on each item themselves), "fail" throws (callers that need every item).
   */
  atCap: "stop" | "fail";
};

/** Every item of a paged list, in page order, following the cursor until the last page or the cap. */
export async function readAll<T, C>(read: PageReader<T, C>, options: PagingOptions): Promise<T[]> {
  const items: T[] = [];
  let cursor: C | undefined;
  for (let page = 0; page < options.maxPages; page++) {
    const answer = await read(cursor);
    items.push(...answer.items);
    if (answer.next === undefined || answer.next === null || answer.next === "") return items;
    cursor = answer.next;
  }
  if (options.atCap === "stop") return items;
  // Transient on purpose: the retry policy may see a source that has settled; a reviewer sees the cap.
  throw new SyncError({ errorClass: "unknown", message: `still more after ${options.maxPages} pages; stopped reading` });
}

/**
 * Offset paging (`skip`/`limit` answered with "has more") as cursor paging:
 * the cursor is the next offset. An empty page ends the list whatever it announces.
 */
export function byOffset<T>(
  pageSize: number,
  read: (offset: number, limit: number) => Promise<{ items: readonly T[]; hasMore: boolean }>,
): PageReader<T, number> {
  return async (offset = 0) => {
    const page = await read(offset, pageSize);
    return { items: page.items, next: page.hasMore && page.items.length > 0 ? offset + page.items.length : undefined };
  };
}
