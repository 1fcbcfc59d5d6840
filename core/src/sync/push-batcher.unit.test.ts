import { describe, expect, it } from "vitest";
import { Overloaded, PushBatcher, type PushBatcherOptions } from "./push-batcher";

type Item = { group: string; id: number; signal?: AbortSignal };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A batcher whose writes are recorded and take `writeMs`; each item's result is its id doubled. */
function recording(options: Partial<PushBatcherOptions> & { writeMs?: number; fail?: (group: string) => boolean } = {}) {
  const batches: { group: string; ids: number[] }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const batcher = new PushBatcher<Item, number>(
    async (group, items) => {
      batches.push({ group, ids: items.map((i) => i.id) });
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await sleep(options.writeMs ?? 5);
      inFlight--;
      if (options.fail?.(group)) throw new Error(`${group} failed`);
      return items.map((i) => i.id * 2);
    },
    { windowMs: 20, maxBatchSize: 10, maxBatchesInFlight: 2, maxWaiting: 1_000, maxQueueDelayMs: 5_000, ...options },
  );
  return { batcher, batches, mostInFlight: () => mostInFlight };
}

describe("PushBatcher", () => {
  it("gathers items submitted within the window into one batch per group, and answers each with its own result", async () => {
    const { batcher, batches } = recording();
    const results = await Promise.all([
      batcher.submit({ group: "customer", id: 1 }),
      batcher.submit({ group: "order", id: 2 }),
      batcher.submit({ group: "customer", id: 3 }),
    ]);
    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([
      { group: "customer", ids: [1, 3] },
      { group: "order", ids: [2] },
    ]);
  });

  it("writes a full batch without waiting for the window, and splits at the batch size", async () => {
    const { batcher, batches } = recording({ windowMs: 10_000, maxBatchSize: 4, maxBatchesInFlight: 5 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 8 }, (_, id) => batcher.submit({ group: "customer", id })));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(batches.map((b) => b.ids)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it("keeps at most maxBatchesInFlight batches in the writes; items arriving meanwhile form bigger batches", async () => {
    const { batcher, batches, mostInFlight } = recording({ windowMs: 1, maxBatchSize: 100, maxBatchesInFlight: 1, writeMs: 50 });
    const first = batcher.submit({ group: "customer", id: 0 });
    await sleep(10);
    const rest = Array.from({ length: 30 }, (_, i) => batcher.submit({ group: "customer", id: i + 1 }));
    await Promise.all([first, ...rest]);
    expect(mostInFlight()).toBe(1);
    expect(batches.map((b) => b.ids.length)).toEqual([1, 30]);
  });

  it("starts batches at least minIntervalMs apart, so items arriving meanwhile share the next one", async () => {
    const { batcher, batches } = recording({ windowMs: 1, maxBatchSize: 100, maxBatchesInFlight: 10, minIntervalMs: 200 });
    const started = Date.now();
    const first = batcher.submit({ group: "customer", id: 0 });
    await sleep(20);
    const rest = [];
    for (let id = 1; id <= 10; id++) {
      rest.push(batcher.submit({ group: "customer", id }));
      await sleep(5);
    }
    await Promise.all([first, ...rest]);
    expect(batches.map((b) => b.ids.length)).toEqual([1, 10]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it("refuses at once when maxWaiting items wait, without writing the refused one", async () => {
    const { batcher, batches } = recording({ windowMs: 1, maxBatchesInFlight: 1, maxWaiting: 3, writeMs: 100 });
    const taken = [batcher.submit({ group: "customer", id: 0 })];
    await sleep(10); // the first batch is being written; the next items wait
    for (const id of [1, 2, 3]) taken.push(batcher.submit({ group: "customer", id }));
    expect(batcher.refusal()).toMatch(/3 items already wait/);
    await expect(batcher.submit({ group: "customer", id: 99 })).rejects.toBeInstanceOf(Overloaded);
    await Promise.all(taken);
    expect(batches.flatMap((b) => b.ids)).not.toContain(99);
    expect(batcher.refusal()).toBeUndefined();
  });

  it("refuses while the oldest waiting item has waited longer than maxQueueDelayMs", async () => {
    const { batcher } = recording({ windowMs: 1, maxBatchesInFlight: 1, maxQueueDelayMs: 50, writeMs: 200 });
    const first = batcher.submit({ group: "customer", id: 0 });
    await sleep(10);
    const second = batcher.submit({ group: "customer", id: 1 });
    expect(batcher.refusal()).toBeUndefined();
    await sleep(80);
    await expect(batcher.submit({ group: "customer", id: 2 })).rejects.toThrow(/waited \d+ ms for a batch/);
    await Promise.all([first, second]);
    expect(batcher.refusal()).toBeUndefined();
  });

  it("lets an item whose deadline passes while it waits leave unwritten", async () => {
    const { batcher, batches } = recording({ windowMs: 1, maxBatchesInFlight: 1, writeMs: 100 });
    const first = batcher.submit({ group: "customer", id: 0 });
    await sleep(10);
    const late = batcher.submit({ group: "customer", id: 1, signal: AbortSignal.timeout(20) });
    const onTime = batcher.submit({ group: "customer", id: 2 });
    await expect(late).rejects.toThrow(/deadline passed while it waited/);
    expect(batcher.waiting).toBe(1);
    await Promise.all([first, onTime]);
    expect(batches.flatMap((b) => b.ids)).toEqual([0, 2]);
    const aborted = new AbortController();
    aborted.abort();
    await expect(batcher.submit({ group: "customer", id: 3, signal: aborted.signal })).rejects.toBeInstanceOf(Overloaded);
  });

  it("fails only the items of a batch whose write failed", async () => {
    const { batcher } = recording({ fail: (group) => group === "order" });
    const [customer, order] = await Promise.allSettled([batcher.submit({ group: "customer", id: 1 }), batcher.submit({ group: "order", id: 2 })]);
    expect(customer).toEqual({ status: "fulfilled", value: 2 });
    expect(order).toMatchObject({ status: "rejected", reason: { message: "order failed" } });
  });
});
