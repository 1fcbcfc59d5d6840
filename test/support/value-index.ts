/**
 * Record IDs by value; a record's values are replaced as a whole. The
 * emulator's and the simulators' lookups read it where a scan of every record
 * would make a large backfill cost O(N²).
 */
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
}
