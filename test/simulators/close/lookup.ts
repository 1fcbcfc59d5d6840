/**
 * What the simulator's lookups need beside the shared ValueIndex: maps that
 * report creates and deletes, and the index keys of custom values. A search
 * by custom value or a list by lead then costs an index read, as it does Close,
 * not a scan of every record.
 */

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
