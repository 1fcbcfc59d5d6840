import { describe, expect, it } from "vitest";
import { SingleFlight } from "./single-flight";

/** A load whose answers the test releases one by one. */
function controlledLoad<T>() {
  const pending: { resolve(value: T): void; reject(error: Error): void }[] = [];
  const load = () => new Promise<T>((resolve, reject) => pending.push({ resolve, reject }));
  return { load, pending };
}

describe("SingleFlight", () => {
  it("runs one load however many callers want the value, and keeps the value", async () => {
    let loads = 0;
    const flight = new SingleFlight(async () => `token-${++loads}`);
    expect(await Promise.all([flight.get(), flight.get(), flight.get()])).toEqual(["token-1", "token-1", "token-1"]);
    expect(await flight.get()).toBe("token-1");
    expect(loads).toBe(1);
  });

  it("does not keep a failure: every waiter sees it, the next caller loads again", async () => {
    const { load, pending } = controlledLoad<string>();
    const flight = new SingleFlight(load);
    const waiters = [flight.get(), flight.get()];
    pending[0]!.reject(new Error("down"));
    for (const w of waiters) await expect(w).rejects.toThrow("down");
    const next = flight.get();
    expect(pending).toHaveLength(2);
    pending[1]!.resolve("fresh");
    expect(await next).toBe("fresh");
  });

  it("loads again once the value's lifetime has passed", async () => {
    let now = 1_000;
    let loads = 0;
    const flight = new SingleFlight(async () => ({ n: ++loads, validMs: 500 }), (v) => v.validMs, () => now);
    expect((await flight.get()).n).toBe(1);
    now += 499;
    expect((await flight.get()).n).toBe(1);
    now += 1;
    expect((await flight.get()).n).toBe(2);
  });

  it("invalidates only the rejected value: a value another caller already refreshed stays", async () => {
    let loads = 0;
    const flight = new SingleFlight(async () => ({ token: `t${++loads}` }));
    const first = await flight.get();
    await flight.invalidate(first);
    const second = await flight.get();
    expect(second.token).toBe("t2");
    // A late caller still holding the first token must not throw away the second.
    await flight.invalidate(first);
    expect(await flight.get()).toBe(second);
    await flight.invalidate();
    expect((await flight.get()).token).toBe("t3");
  });

  it("invalidating while nothing is held, or while a load fails, is harmless", async () => {
    const { load, pending } = controlledLoad<string>();
    const flight = new SingleFlight(load);
    await flight.invalidate("x");
    const failing = flight.get();
    const invalidated = flight.invalidate("x");
    pending[0]!.reject(new Error("no"));
    await expect(failing).rejects.toThrow("no");
    await invalidated;
    const next = flight.get();
    pending[1]!.resolve("ok");
    expect(await next).toBe("ok");
  });
});
