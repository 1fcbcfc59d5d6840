/**
 * Secondary lookups for the simulator's maps, so a search by custom value or
 * a list by lead costs what it costs Close (an index read), not a scan of
 * every record: at 100,000 customers a backfill makes hundreds of thousands.
 */

/** Record IDs by value; a record's values are replaced as a whole. */
export class ValueIndex {
  private readonly ids = new Map<string, Set<string>>();
  private readonly valuesOf = new Map<string, string[]>();

  put(id: string, values: string[]): void {
    this.remove(id);
    for (const value of values) {
      const set = this.ids.get(value);
      if (set) set.add(id);
      else this.ids.set(value, new Set([id]));
    }
    this.valuesOf.set(id, values);
  }

  remove(id: string): void {
    for (const value of this.valuesOf.get(id) ?? []) {
      const set = this.ids.get(value);
      set?.delete(id);
      if (set?.size === 0) this.ids.delete(value);
    }
    this.valuesOf.delete(id);
  }

  get(value: string): ReadonlySet<string> {
    return this.ids.get(value) ?? new Set();
  }

  clear(): void {
    this.ids.clear();
    this.valuesOf.clear();
  }
}

/** A Map that reports every record put in or taken out (`undefined`), so indexes follow creates and deletes. */
export class WatchedMap<V> extends Map<string, V> {
  private watcher?: (id: string, record: V | undefined) => void;

  watch(watcher: (id: string, record: V | undefined) => void): this {
    this.watcher = watcher;
    return this;
  }

  override set(id: string, record: V): this {
    super.set(id, record);
    this.watcher?.(id, record);
    return this;
  }

  override delete(id: string): boolean {
    const had = super.delete(id);
    if (had) this.watcher?.(id, undefined);
    return had;
  }

  override clear(): void {
    for (const id of [...this.keys()]) this.delete(id);
  }
}

/** The index key of a custom value: the field and the value with its JSON type (term matches are strict). */
export const customValueKey = (fieldId: string, value: unknown) => `${fieldId}\u0000${JSON.stringify(value)}`;

/** Index keys of all custom values of a record (each element of a multi-value field). */
export function customValueKeys(custom: Map<string, unknown>): string[] {
  const keys: string[] = [];
  for (const [fieldId, value] of custom) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== null && v !== undefined) keys.push(customValueKey(fieldId, v));
  }
  return keys;
}
