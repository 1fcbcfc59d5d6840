import type { Module } from "./fields";

/**
 * Freshsales IDs of the records we keyed, by commercetools ID, learned from
 * our own writes and lookups: a deal links its contact and account by ID,
 * and a lookup per order would cost a call from an hourly budget. Bounded:
 * the least recently used IDs go first. An ID Freshsales no longer holds
 * is forgotten when a write refuses it.
 */
export class KnownIds {
  private readonly ids = new Map<string, string>();

  constructor(private readonly maxEntries = 50_000) {}

  get(module: Module, sourceId: string): string | undefined {
    const key = `${module}:${sourceId}`;
    const id = this.ids.get(key);
    if (id !== undefined) {
      this.ids.delete(key);
      this.ids.set(key, id);
    }
    return id;
  }

  set(module: Module, sourceId: string, crmId: string): void {
    const key = `${module}:${sourceId}`;
    this.ids.delete(key);
    this.ids.set(key, crmId);
    if (this.ids.size > this.maxEntries) this.ids.delete(this.ids.keys().next().value!);
  }

  forget(module: Module, sourceId: string): void {
    this.ids.delete(`${module}:${sourceId}`);
  }
}
