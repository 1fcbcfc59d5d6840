import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher";

/** A write that doubles numbers and logs each batch it was given. */
function doubling(fail?: (items: number[]) => boolean) {
  const batches: number[][] = [];
  const write = async (items: number[]) => {
    batches.push(items);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (fail?.(items)) throw new Error("refused");
    return items.map((n) => n * 2);
  };
  return { batches, write };
}

describe("Batcher", () => {
  it("writes the items of concurrent callers in one batch, each caller answered with its own outputs in order", async () => {
    const crm = doubling();
    const batcher = new Batcher(crm.write, { maxItems: 100, quietMs: 20, maxWaitMs: 1_000 });
    const answers = await Promise.all([batcher.submit([1]), batcher.submit([2, 3]), batcher.submit([4])]);
    expect(answers).toEqual([[2], [4, 6], [8]]);
    expect(crm.batches).toEqual([[1, 2, 3, 4]]);
  });

  it("cuts batches at the most items a write takes, never splitting one caller's items", async () => {
    const crm = doubling();
    const batcher = new Batcher(crm.write, { maxItems: 3, quietMs: 20, maxWaitMs: 1_000 });
    const answers = await Promise.all([batcher.submit([1, 2]), batcher.submit([3, 4]), batcher.submit([5]), batcher.submit([6, 7, 8])]);
    expect(answers).toEqual([[2, 4], [6, 8], [10], [12, 14, 16]]);
    expect(crm.batches).toEqual([[1, 2], [3, 4, 5], [6, 7, 8]]);
  });

  it("writes a batch once its first caller has waited the longest, however many keep joining", async () => {
    const crm = doubling();
    const batcher = new Batcher(crm.write, { maxItems: 1_000, quietMs: 30, maxWaitMs: 100 });
    const started = Date.now();
    const answers: Promise<number[]>[] = [];
    // A caller every 10 ms keeps the batch from ever going quiet.
    for (let i = 0; i < 20; i++) {
      answers.push(batcher.submit([i]));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(answers);
    expect(crm.batches.length).toBeGreaterThanOrEqual(2);
    expect(crm.batches[0]!.length).toBeLessThan(20);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("gives every caller of a failed batch its error, and keeps later batches apart", async () => {
    const crm = doubling((items) => items.includes(13));
    const batcher = new Batcher(crm.write, { maxItems: 10, quietMs: 10, maxWaitMs: 100 });
    const failed = await Promise.allSettled([batcher.submit([13]), batcher.submit([1])]);
    expect(failed.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await batcher.submit([2])).toEqual([4]);
  });

  it("writes a call as large as a batch by itself, at once", async () => {
    const crm = doubling();
    const batcher = new Batcher(crm.write, { maxItems: 2, quietMs: 1_000, maxWaitMs: 1_000 });
    expect(await batcher.submit([1, 2, 3])).toEqual([2, 4, 6]);
    expect(await batcher.submit([])).toEqual([]);
    expect(crm.batches).toEqual([[1, 2, 3]]);
  });
});
