import { describe, expect, it } from "vitest";
import { SyncError } from "../../domain/errors";
import { converge, convergeAll, oldestFirst, type ConvergeSteps } from "./converge";

type Rec = { id: string; key: string; at: string; children: string[] };

/** A CRM without upsert, in memory: records by key, creation times strictly increasing; every step is logged. */
function fakeCrm() {
  const records = new Map<string, Rec>();
  const log: string[] = [];
  let clock = 0;
  let ids = 0;
  const add = (key: string) => {
    const rec: Rec = { id: `r${++ids}`, key, at: new Date(Date.UTC(2026, 0, 1, 0, 0, ++clock)).toISOString(), children: [] };
    records.set(rec.id, rec);
    return rec;
  };
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const steps: ConvergeSteps<Rec> = {
    async find(keys) {
      log.push(`find ${keys.join(",")}`);
      await tick();
      return new Map(keys.map((k) => [k, [...records.values()].filter((r) => r.key === k).map((r) => ({ ...r, children: [...r.children] }))]));
    },
    async create(key) {
      await tick();
      const rec = add(key);
      log.push(`create ${key} ${rec.id}`);
      return rec;
    },
    createdAt: (r) => r.at,
    async absorb(duplicate, survivor) {
      log.push(`absorb ${duplicate.id}→${survivor.id}`);
      records.get(survivor.id)?.children.push(...(records.get(duplicate.id)?.children ?? []));
    },
    async remove(duplicate) {
      log.push(`remove ${duplicate.id}`);
      records.delete(duplicate.id);
    },
    async update(survivor, duplicates) {
      log.push(`update ${survivor.id} (${duplicates.length} removed)`);
    },
  };
  return { records, log, add, steps };
}

describe("converge", () => {
  it("orders oldest first by creation time, then by the time's text, then by ID", () => {
    const at = (r: { at?: string }) => r.at;
    const items = [
      { id: "b", at: "2026-01-02T00:00:00Z" },
      { id: "c", at: "2026-01-01T00:00:00.000Z" },
      { id: "a", at: "2026-01-01T00:00:00Z" },
      { id: "z" },
      { id: "d", at: "2026-01-01T00:00:00Z" },
    ];
    expect(oldestFirst(items, at).map((i) => i.id)).toEqual(["z", "c", "a", "d", "b"]);
    expect(items[0]!.id).toBe("b");
  });

  it("keeps the oldest of what it finds, moves the others' children onto it, removes them and updates it", async () => {
    const crm = fakeCrm();
    const first = crm.add("k");
    const second = crm.add("k");
    second.children.push("child");
    const result = await converge({ ...crm.steps, find: async () => (await crm.steps.find(["k"])).get("k")!, create: () => crm.steps.create("k") });
    expect(result).toMatchObject({ survivor: { id: first.id }, created: false, duplicates: [{ id: second.id }] });
    expect(crm.log).toEqual(["find k", `absorb ${second.id}→${first.id}`, `remove ${second.id}`, `update ${first.id} (1 removed)`]);
    expect([...crm.records.values()].map((r) => [r.id, r.children])).toEqual([[first.id, ["child"]]]);
  });

  it("creates what it does not find, looks again, and leaves its own record as it wrote it", async () => {
    const crm = fakeCrm();
    const result = await converge({ ...crm.steps, find: async () => (await crm.steps.find(["k"])).get("k")!, create: () => crm.steps.create("k") });
    expect(result).toMatchObject({ created: true, duplicates: [] });
    expect(crm.log).toEqual(["find k", `create k ${result.survivor.id}`, "find k"]);
  });

  it("keeps its own record when the re-check does not show it yet (a search that lags)", async () => {
    const crm = fakeCrm();
    const result = await converge({ ...crm.steps, find: async () => [], create: () => crm.steps.create("k") });
    expect(result).toMatchObject({ survivor: { id: "r1" }, created: true, duplicates: [] });
    expect(crm.records.size).toBe(1);
  });

  it("gives way to an older record another writer created meanwhile: its own goes, the survivor gets its values", async () => {
    const crm = fakeCrm();
    let finds = 0;
    let theirs: Rec | undefined;
    const result = await converge({
      ...crm.steps,
      // Another writer's record appears between our find and our create.
      find: async () => {
        if (finds++ === 0) {
          const none = (await crm.steps.find(["k"])).get("k")!;
          theirs = crm.add("k");
          return none;
        }
        return (await crm.steps.find(["k"])).get("k")!;
      },
      create: () => crm.steps.create("k"),
    });
    expect(result).toMatchObject({ survivor: { id: theirs!.id }, created: false });
    expect(result.duplicates.map((r) => r.id)).toEqual(["r2"]);
    expect(crm.log.slice(-2)).toEqual(["remove r2", `update ${theirs!.id} (1 removed)`]);
    expect([...crm.records.keys()]).toEqual([theirs!.id]);
  });

  it("converges writers running at once on one record, the same one for all of them", async () => {
    const crm = fakeCrm();
    const run = () => converge({ ...crm.steps, find: async () => (await crm.steps.find(["k"])).get("k")!, create: () => crm.steps.create("k") });
    const results = await Promise.all([run(), run(), run()]);
    expect(crm.log.filter((l) => l.startsWith("create"))).toHaveLength(3);
    expect(crm.records.size).toBe(1);
    expect(new Set(results.map((r) => r.survivor.id))).toEqual(new Set([...crm.records.keys()]));
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it("finds many keys with one find and re-checks only the keys it created, with one more", async () => {
    const crm = fakeCrm();
    crm.add("b");
    const results = await convergeAll(["a", "b", "c"], crm.steps);
    expect(crm.log.filter((l) => l.startsWith("find"))).toEqual(["find a,b,c", "find a,c"]);
    expect([...results].map(([k, r]) => [k, r.created])).toEqual([["b", false], ["a", true], ["c", true]]);

    crm.log.length = 0;
    await convergeAll(["a", "b"], crm.steps);
    expect(crm.log.filter((l) => l.startsWith("find"))).toEqual(["find a,b"]);
    expect(await convergeAll([], crm.steps)).toEqual(new Map());
  });

  it("keeps a key's failure apart through the guard: the other keys still converge, the failed one has no entry", async () => {
    const crm = fakeCrm();
    const failed = new Map<string, unknown>();
    const steps: ConvergeSteps<Rec> = {
      ...crm.steps,
      create: (key) => (key === "bad" ? Promise.reject(new SyncError({ errorClass: "validation", message: "no" })) : crm.steps.create(key)),
    };
    const results = await convergeAll(["ok", "bad", "also"], steps, async (key, step) => step().catch((e: unknown) => void failed.set(key, e)));
    expect([...results.keys()]).toEqual(["ok", "also"]);
    expect([...failed.keys()]).toEqual(["bad"]);
    expect(crm.log.filter((l) => l.startsWith("find"))).toEqual(["find ok,bad,also", "find ok,also"]);
  });

  it("without a remove step leaves duplicates where they are, and everyone adopts the oldest", async () => {
    const crm = fakeCrm();
    const oldest = crm.add("k");
    crm.add("k");
    const { remove: _remove, update: _update, ...keepOnly } = crm.steps;
    const result = await convergeAll(["k"], keepOnly);
    expect(result.get("k")!.survivor.id).toBe(oldest.id);
    expect(crm.records.size).toBe(2);
  });
});
