import { z } from "zod";
import type { CloseStore } from "./store";

export const searchIndexSpec = z.object({ delayMs: z.number().int().min(0).max(600_000) });

/**
 * Close's search is near-real-time: a lead or contact created just now is not
 * found by `POST /data/search/` until the index has caught up. Records
 * created less than `delayMs` ago are left out of search answers (0: found at
 * once, the default); reads by ID and lists see them at once, as in Close.
 */
export class SearchIndex {
  private readonly createdAt = new Map<string, number>();

  constructor(
    store: CloseStore,
    public delayMs = 0,
  ) {
    store.onChange((change) => {
      if (change.action === "created" && (change.object_type === "lead" || change.object_type === "contact")) this.createdAt.set(change.object_id, Date.now());
    });
  }

  /** Whether search finds this record yet. */
  indexed(id: string): boolean {
    const at = this.createdAt.get(id);
    if (at === undefined) return true;
    if (Date.now() - at < this.delayMs) return false;
    this.createdAt.delete(id);
    return true;
  }
}
