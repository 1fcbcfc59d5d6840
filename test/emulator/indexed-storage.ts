import { AsyncLocalStorage } from "node:async_hooks";
import { InMemoryStorage } from "@labdigital/commercetools-mock";
import { ValueIndex } from "../support/value-index";

type Resource = { id: string } & Record<string, unknown>;
type QueryParams = Parameters<InMemoryStorage["query"]>[2];

/**
 * Top-level string fields whose `field = "v"` / `field in ("v", …)` clauses are
 * answered from an index: the lookups our code makes per batch (links and
 * failure entries by key, orders by customer).
 */
const indexedFields: Record<string, readonly string[]> = {
  "key-value-document": ["key", "container"],
  order: ["customerId"],
};

const stringLiteral = String.raw`"(?:[^"\\]|\\.)*"`;
const equalsOrIn = new RegExp(String.raw`^\s*(\w+)\s*(?:=\s*(${stringLiteral})|in\s*\(\s*(${stringLiteral}(?:\s*,\s*${stringLiteral})*)\s*\))\s*$`);
const literals = new RegExp(stringLiteral, "g");
/** `field = :name` / `field in :name`, the values in the request's `var.name`. */
const withVariable = /^\s*(\w+)\s*(?:=|in)\s*:(\w+)\s*$/;

/** The values an `=` / `in` clause on a top-level field accepts, or undefined for any other clause. */
export function clauseValues(clause: string, variables: Record<string, unknown> = {}): { field: string; values: string[] } | undefined {
  const variable = withVariable.exec(clause);
  if (variable) {
    const value = variables[`var.${variable[2]}`];
    const values = ([] as unknown[]).concat(value ?? []);
    return values.every((v) => typeof v === "string") && values.length > 0 ? { field: variable[1]!, values: values as string[] } : undefined;
  }
  const match = equalsOrIn.exec(clause);
  if (!match) return undefined;
  const [, field, single, list] = match;
  try {
    const values = single !== undefined ? [JSON.parse(single) as string] : (list!.match(literals) ?? []).map((v) => JSON.parse(v) as string);
    return { field: field!, values };
  } catch {
    return undefined;
  }
}

/**
 * The `sort` and the predicate variables (`var.<name>`) of the HTTP request
 * being answered: the emulator's HTTP layer drops both on some endpoints
 * (sort everywhere, variables on custom objects by container).
 */
export type RequestQuery = { sort?: string[]; variables: Record<string, string | string[]> };
export const requestQuery = new AsyncLocalStorage<RequestQuery>();

/**
 * The emulator's in-memory storage with two changes that keep its answers
 * identical and make them cost what the real API's do:
 *  - `sort` from the request is honoured (its HTTP layer drops the parameter
 *    although its storage can sort);
 *  - a query no longer deep-copies every resource of the type before
 *    filtering: it filters the stored objects and copies the page it returns,
 *    and when a clause is an `=` / `in` on an indexed field, only the objects
 *    that clause names are filtered. The emulator's own predicate still decides
 *    every match (the index only narrows the candidates), so results are the
 *    same; without this, a backfill's lookups cost O(N) each and the whole run
 *    O(N²).
 */
export class IndexedStorage extends InMemoryStorage {
  /** One index per project, type and indexed field. */
  private readonly indexes = new Map<string, ValueIndex>();

  override add: InMemoryStorage["add"] = async (projectKey, typeId, obj, params) => {
    const result = await super.add(projectKey, typeId, obj, params);
    this.reindex(projectKey, typeId, obj.id, (await this.stored(projectKey, typeId)).get(obj.id));
    return result;
  };

  override delete: InMemoryStorage["delete"] = async (projectKey, typeId, id, params) => {
    const result = await super.delete(projectKey, typeId, id, params);
    if (result) this.reindex(projectKey, typeId, id, undefined);
    return result;
  };

  override clear: InMemoryStorage["clear"] = async () => {
    this.indexes.clear();
    await super.clear();
  };

  override query: InMemoryStorage["query"] = async (projectKey, typeId, params) => {
    const request = requestQuery.getStore();
    const sort = request?.sort && !params.sort ? { sort: request.sort } : {};
    const effective: QueryParams = { ...request?.variables, ...params, ...sort };
    // Expansion writes into the resources it is given: those must be copies.
    if (effective.expand !== undefined) return super.query(projectKey, typeId, effective);
    const candidates = await this.candidates(projectKey, typeId, effective.where, effective as Record<string, unknown>);
    const view: InMemoryStorage = Object.create(this, { all: { value: async () => candidates } });
    const queryCandidates = InMemoryStorage.prototype.query.bind(view) as InMemoryStorage["query"];
    const result = await queryCandidates(projectKey, typeId, effective);
    return { ...result, results: result.results.map((r) => structuredClone(r)) } as typeof result;
  };

  private async candidates(projectKey: string, typeId: string, where: QueryParams["where"], variables: Record<string, unknown>): Promise<Resource[]> {
    const stored = await this.stored(projectKey, typeId);
    let narrowest: ReadonlySet<string>[] | undefined;
    let narrowestSize = Infinity;
    for (const clause of ([] as string[]).concat(where ?? [])) {
      const parsed = clauseValues(clause, variables);
      // Resources are stored by ID: an `id` clause names its candidates without an index.
      const byId = parsed?.field === "id";
      if (!parsed || (!byId && !indexedFields[typeId]?.includes(parsed.field))) continue;
      const index = this.indexes.get(indexKey(projectKey, typeId, parsed.field));
      const sets = parsed.values.map((value) => (byId ? new Set(stored.has(value) ? [value] : []) : (index?.get(value) ?? new Set<string>())));
      const size = sets.reduce((sum, ids) => sum + ids.size, 0);
      if (size < narrowestSize) [narrowest, narrowestSize] = [sets, size];
    }
    if (!narrowest) return [...stored.values()];
    const ids = new Set(narrowest.flatMap((set) => [...set]));
    return [...ids].map((id) => stored.get(id)).filter((r): r is Resource => r !== undefined);
  }

  /** The stored objects themselves (the library's map copies on every read); read-only here. */
  private async stored(projectKey: string, typeId: string): Promise<Map<string, Resource>> {
    const storage = this as unknown as { forProjectKey(projectKey: string): Promise<Record<string, { _map?: Map<string, Resource> }>> };
    const maps = await storage.forProjectKey(projectKey);
    const inner = maps[typeId]?._map;
    if (!(inner instanceof Map)) throw new Error(`emulator storage for ${typeId} no longer keeps a _map: update IndexedStorage`);
    return inner;
  }

  /** A stored resource's indexed values as they are now (`resource` undefined: deleted). */
  private reindex(projectKey: string, typeId: string, id: string, resource: Resource | undefined) {
    for (const field of indexedFields[typeId] ?? []) {
      const key = indexKey(projectKey, typeId, field);
      let index = this.indexes.get(key);
      if (!index) this.indexes.set(key, (index = new ValueIndex()));
      const value = resource?.[field];
      if (typeof value === "string") index.put(id, [value]);
      else index.remove(id);
    }
  }
}

const indexKey = (projectKey: string, typeId: string, field: string) => `${projectKey}\u0000${typeId}\u0000${field}`;
