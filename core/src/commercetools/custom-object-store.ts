import type { CustomObject } from "@commercetools/platform-sdk";
import {
  ConcurrentModificationError,
  type KeyValueStore,
  type ListOptions,
  type Versioned,
} from "../ports/key-value-store";
import { allOf, predicate, predicateArgs } from "../ports/predicate";
import { chunks, inPool, lookupQueriesInFlight } from "../pool";
import { type CommercetoolsApi, concurrentModificationVersion, isNotFound } from "./client";

const maxKeysPerQuery = 100;

function toVersioned<T>(object: CustomObject): Versioned<T> {
  return { key: object.key, value: object.value as T, version: object.version, lastModifiedAt: object.lastModifiedAt };
}

/**
 * State in commercetools custom objects. Creation uses `version: 0`, which the
 * API refuses with 409 when the object exists, so two writers never both "create".
 */
export class CustomObjectStore implements KeyValueStore {
  constructor(private readonly api: CommercetoolsApi) {}

  async get<T>(container: string, key: string): Promise<Versioned<T> | undefined> {
    try {
      const { body } = await this.api.customObjects().withContainerAndKey({ container, key }).get().execute();
      return toVersioned<T>(body);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getMany<T>(container: string, keys: string[]): Promise<Map<string, Versioned<T>>> {
    const found = new Map<string, Versioned<T>>();
    const unique = [...new Set(keys)];
    await inPool(chunks(unique, maxKeysPerQuery), lookupQueriesInFlight, async (chunk) => {
      const { body } = await this.api
        .customObjects()
        .withContainer({ container })
        .get({ queryArgs: { ...predicateArgs(predicate`key in ${chunk}`), limit: chunk.length } })
        .execute();
      for (const object of body.results) found.set(object.key, toVersioned<T>(object));
    });
    return found;
  }

  async put<T>(container: string, key: string, value: T, expectedVersion?: number): Promise<Versioned<T>> {
    try {
      const { body } = await this.api
        .customObjects()
        .post({ body: { container, key, value, version: expectedVersion ?? 0 } })
        .execute();
      return toVersioned<T>(body);
    } catch (error) {
      const current = concurrentModificationVersion(error);
      if (current !== false) throw new ConcurrentModificationError(container, key, current);
      throw error;
    }
  }

  async delete(container: string, key: string): Promise<void> {
    try {
      await this.api.customObjects().withContainerAndKey({ container, key }).delete().execute();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async list<T>(container: string, options: ListOptions = {}): Promise<{ items: Versioned<T>[]; nextKey?: string }> {
    const limit = Math.min(options.limit ?? 100, 500);
    const where = allOf(options.where, options.afterKey === undefined ? undefined : predicate`key > ${options.afterKey}`);
    const { body } = await this.api
      .customObjects()
      .withContainer({ container })
      .get({
        queryArgs: {
          ...predicateArgs(where),
          sort: options.sort ? [...options.sort, "key asc"] : "key asc",
          limit,
          offset: options.offset,
          withTotal: false,
        },
      })
      .execute();
    const items = body.results.map((object) => toVersioned<T>(object));
    return { items, nextKey: items.length === limit ? items[items.length - 1]?.key : undefined };
  }
}
