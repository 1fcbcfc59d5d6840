import type { Predicate } from "./predicate";

/**
 * Versioned documents keyed by (container, key): commercetools custom objects.
 * `put` with an expected version fails with ConcurrentModificationError when
 * someone else wrote first; callers re-read and decide again.
 */
export type Versioned<T> = { key: string; value: T; version: number; lastModifiedAt?: string };

export class ConcurrentModificationError extends Error {
  constructor(
    readonly container: string,
    readonly key: string,
    readonly currentVersion?: number,
  ) {
    super(`${container}/${key} was modified concurrently`);
    this.name = "ConcurrentModificationError";
  }
}

export type ListOptions = {
  /** commercetools query predicate on the custom object, e.g. `value(state = :p0)`, its values as variables. */
  where?: Predicate;
  limit?: number;
  /** Keys greater than this one (cursor paging by key, the default order). */
  afterKey?: string;
  /** Other orders, e.g. `value.lastFailedAt desc`; page them with `offset` (≤ 10,000). */
  sort?: string[];
  offset?: number;
};

export interface KeyValueStore {
  get<T>(container: string, key: string): Promise<Versioned<T> | undefined>;
  getMany<T>(container: string, keys: string[]): Promise<Map<string, Versioned<T>>>;
  /** Creates when `expectedVersion` is undefined and the key is new; otherwise requires the version to match. */
  put<T>(container: string, key: string, value: T, expectedVersion?: number): Promise<Versioned<T>>;
  delete(container: string, key: string): Promise<void>;
  list<T>(container: string, options?: ListOptions): Promise<{ items: Versioned<T>[]; nextKey?: string }>;
}
