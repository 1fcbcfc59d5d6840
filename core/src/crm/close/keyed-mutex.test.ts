import { describe, expect, it } from "vitest";
import { KeyedMutex } from "./keyed-mutex";

describe("KeyedMutex", () => {
  it("runs same-key tasks one at a time in order, other keys in parallel, and survives failures", async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([
      mutex.run("a", task("a1", 20, true)),
      mutex.run("a", task("a2", 5)),
      mutex.run("b", task("b1", 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(log.indexOf("end a1")).toBeLessThan(log.indexOf("start a2"));
    expect(log.indexOf("end b1")).toBeLessThan(log.indexOf("end a1"));
  });

  it("holds every key of runAll, and callers taking overlapping keys in any order do not wait on each other forever", async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const hold = (name: string) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([
      mutex.runAll(["a", "b", "c"], hold("abc")),
      mutex.runAll(["c", "b", "a"], hold("cba")),
      mutex.run("b", hold("b")),
      mutex.runAll(["d", "d"], hold("dd")),
    ]);
    expect(results).toEqual(["abc", "cba", "b", "dd"]);
    const apart = (x: string, y: string) => log.indexOf(`end ${x}`) < log.indexOf(`start ${y}`) || log.indexOf(`end ${y}`) < log.indexOf(`start ${x}`);
    // Sharing a key: never at the same time.
    expect([apart("abc", "cba"), apart("abc", "b"), apart("cba", "b")]).toEqual([true, true, true]);
    // No key in common: alongside.
    expect(apart("abc", "dd")).toBe(false);
  });
});
