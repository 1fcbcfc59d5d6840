import { describe, expect, it } from "vitest";
import { KeyedLock } from "./keyed-lock";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that logs its start and end. */
const logged = (log: string[]) => (name: string, ms: number, fail = false) => async () => {
  log.push(`start ${name}`);
  await sleep(ms);
  log.push(`end ${name}`);
  if (fail) throw new Error(name);
  return name;
};

const apart = (log: string[], x: string, y: string) =>
  log.indexOf(`end ${x}`) < log.indexOf(`start ${y}`) || log.indexOf(`end ${y}`) < log.indexOf(`start ${x}`);

describe("KeyedLock", () => {
  it("runs tasks of one key one after another, in arrival order, and a failure does not hold the key", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = logged(log);
    const results = await Promise.allSettled([lock.run("a", task("a1", 20, true)), lock.run("a", task("a2", 5)), lock.run("a", task("a3", 1))]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(log).toEqual(["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]);
  });

  it("runs tasks of different keys side by side", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = logged(log);
    await Promise.all([lock.run("a", task("a", 30)), lock.run("b", task("b", 1))]);
    expect(log).toEqual(["start a", "start b", "end b", "end a"]);
  });

  it("holds every key of runAll; overlapping key sets taken in any order never deadlock and never overlap", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = logged(log);
    const results = await Promise.all([
      lock.runAll(["a", "b", "c"], task("abc", 5)),
      lock.runAll(["c", "b", "a"], task("cba", 5)),
      lock.runAll(["b", "x"], task("bx", 5)),
      lock.run("c", task("c", 5)),
      lock.runAll(["d", "d"], task("dd", 5)),
    ]);
    expect(results).toEqual(["abc", "cba", "bx", "c", "dd"]);
    for (const [x, y] of [["abc", "cba"], ["abc", "bx"], ["abc", "c"], ["cba", "bx"], ["cba", "c"]] as const) expect(apart(log, x, y), `${x} / ${y}`).toBe(true);
    // No key in common with the first: alongside it.
    expect(apart(log, "abc", "dd")).toBe(false);
  });

  it("lets a later single-key task wait only for the runAll that holds its key", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = logged(log);
    await Promise.all([lock.runAll(["a", "b"], task("ab", 30)), lock.run("b", task("b", 1)), lock.run("z", task("z", 1))]);
    expect(log.indexOf("end z")).toBeLessThan(log.indexOf("end ab"));
    expect(log.indexOf("start b")).toBeGreaterThan(log.indexOf("end ab"));
  });

  it("frees its bookkeeping once every task is done", async () => {
    const lock = new KeyedLock();
    await Promise.all([lock.runAll(["a", "b"], async () => 1), lock.run("a", async () => 2)]);
    expect((lock as unknown as { tails: Map<string, unknown> }).tails.size).toBe(0);
  });
});
