import { InMemoryStorage } from "@labdigital/commercetools-mock";
import { describe, expect, it } from "vitest";
import { clauseValues, IndexedStorage } from "./indexed-storage";

const project = "p";

function customObject(id: string, container: string, key: string, value: unknown) {
  return { id, version: 1, createdAt: "2026-01-01T00:00:00.000Z", lastModifiedAt: "2026-01-01T00:00:00.000Z", container, key, value };
}

/** The same writes into the emulator's own storage and ours. */
async function both(write: (storage: InMemoryStorage) => Promise<void>) {
  const plain = new InMemoryStorage();
  const indexed = new IndexedStorage();
  await write(plain);
  await write(indexed);
  return { plain, indexed };
}

const sortedById = (results: { id: string }[]) => results.map((r) => r.id).sort();

describe("IndexedStorage", () => {
  it("parses only = and in clauses on a top-level field", () => {
    expect(clauseValues(`key in ("a", "b\\"c")`)).toEqual({ field: "key", values: ["a", 'b"c'] });
    expect(clauseValues(`customerId = "x"`)).toEqual({ field: "customerId", values: ["x"] });
    expect(clauseValues(`key in (:keys)`)).toBeUndefined();
    // Input variables: the values come from the request's var.<name>.
    expect(clauseValues(`key in :keys`, { "var.keys": ["a", "b"] })).toEqual({ field: "key", values: ["a", "b"] });
    expect(clauseValues(`customerId = :id`, { "var.id": "x" })).toEqual({ field: "customerId", values: ["x"] });
    expect(clauseValues(`key in :keys`, {})).toBeUndefined();
    expect(clauseValues(`value(state = "open")`)).toBeUndefined();
    expect(clauseValues(`key = "a" or key = "b"`)).toBeUndefined();
  });

  it("answers every query as the emulator's own storage does, after creates, updates and deletes", async () => {
    const { plain, indexed } = await both(async (storage) => {
      for (let i = 0; i < 60; i++) await storage.add(project, "key-value-document", customObject(`o${i}`, i % 3 ? "links" : "failures", `k${i % 20}`, { n: i, state: i % 2 ? "open" : "resolved" }) as never);
      // An update that changes the indexed key, and deletes.
      await storage.add(project, "key-value-document", customObject("o4", "links", "moved", { n: 4, state: "open" }) as never);
      await storage.delete(project, "key-value-document", "o5");
      await storage.delete(project, "key-value-document", "o7");
    });
    const queries = [
      [`key in ("k1", "k4", "moved", "absent")`, `container="links"`],
      [`key = "k4"`],
      [`container = "failures"`, `value(state = "open")`],
      [`key in ("k2", "k3")`, `value(n > 10)`],
      [`value(state = "resolved")`],
      [`key in :keys`, `container = :container`],
      [`key = :one`],
      undefined,
    ];
    const variables = { "var.keys": ["k1", "k4", "moved"], "var.container": "links", "var.one": "k2" };
    for (const where of queries) {
      const params = { where, limit: 500, ...variables };
      const expected = await plain.query(project, "key-value-document", params);
      const actual = await indexed.query(project, "key-value-document", params);
      expect({ where, ids: sortedById(actual.results) }).toEqual({ where, ids: sortedById(expected.results) });
      expect(actual.total).toBe(expected.total);
      expect(actual.results.sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected.results.sort((a, b) => a.id.localeCompare(b.id)));
    }
  });

  it("keeps its stored objects out of reach of the caller", async () => {
    const storage = new IndexedStorage();
    await storage.add(project, "key-value-document", customObject("o1", "links", "k1", { n: 1 }) as never);
    const first = await storage.query(project, "key-value-document", { where: [`key = "k1"`] });
    (first.results[0] as { value: { n: number } }).value.n = 99;
    const again = await storage.query(project, "key-value-document", { where: [`key = "k1"`] });
    expect((again.results[0] as { value: { n: number } }).value.n).toBe(1);
  });

  it("sorts and pages the narrowed candidates as the emulator does", async () => {
    const { plain, indexed } = await both(async (storage) => {
      for (let i = 0; i < 30; i++) {
        await storage.add(project, "order", { id: `ord${String(29 - i).padStart(2, "0")}`, version: 1, customerId: `c${i % 4}`, createdAt: "2026-01-01T00:00:00.000Z", lastModifiedAt: "2026-01-01T00:00:00.000Z" } as never);
      }
    });
    const params = { where: [`customerId in ("c1", "c3")`, `id > "ord05"`], sort: ["id asc"], limit: 5, offset: 2 };
    const expected = await plain.query(project, "order", params);
    const actual = await indexed.query(project, "order", params);
    expect(actual.results.map((r) => r.id)).toEqual(expected.results.map((r) => r.id));
    expect(actual.results).toHaveLength(5);
  });
});
