import { describe, expect, it } from "vitest";
import { Pacer } from "./pacing";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Pacer", () => {
  it("starts at most requestsPerSecond requests in each second", async () => {
    const pacer = new Pacer({ requestsPerSecond: 3, maxConcurrency: 10 });
    const started = Date.now();
    const at = await Promise.all(Array.from({ length: 7 }, () => pacer.run(async () => Date.now() - started)));
    const perSecond = at.reduce<number[]>((acc, ms) => {
      acc[Math.floor(ms / 1000)] = (acc[Math.floor(ms / 1000)] ?? 0) + 1;
      return acc;
    }, []);
    expect(perSecond).toEqual([3, 3, 1]);
  });

  it("keeps at most maxConcurrency requests in flight", async () => {
    const pacer = new Pacer({ requestsPerSecond: 1000, maxConcurrency: 2 });
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        pacer.run(async () => {
          most = Math.max(most, ++inFlight);
          await sleep(20);
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(2);
  });

  it("holds every request back while paused, for the longest pause asked", async () => {
    const pacer = new Pacer({ requestsPerSecond: 1000, maxConcurrency: 5 });
    const started = Date.now();
    pacer.pauseFor(0.3);
    pacer.pauseFor(0.1); // a shorter pause does not cut the longer one short
    pacer.pauseFor(0);
    pacer.pauseFor(Number.NaN);
    const ran = pacer.run(async () => Date.now() - started);
    await sleep(50);
    expect(pacer.waiting).toBe(1);
    const waited = await ran;
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(1_000);
    expect(pacer.waiting).toBe(0);
  });

  it("lets a waiting request leave the queue when its caller's signal fires; the others still run", async () => {
    const pacer = new Pacer({ requestsPerSecond: 1000, maxConcurrency: 1 });
    pacer.pauseFor(0.3);
    const ran: string[] = [];
    const leaving = pacer.run(async () => ran.push("leaving"), AbortSignal.timeout(50));
    const staying = pacer.run(async () => ran.push("staying"));
    await expect(leaving).rejects.toMatchObject({ name: "TimeoutError" });
    expect(pacer.waiting).toBe(1);
    await staying;
    expect(ran).toEqual(["staying"]);
  });
});

describe("Pacer with a bounded queue", () => {
  it("refuses a request at once when maxWaiting requests already wait, and takes new ones once the queue drains", async () => {
    const pacer = new Pacer({ requestsPerSecond: 1000, maxConcurrency: 1, maxWaiting: 2 });
    pacer.pauseFor(0.2);
    const waiting = [pacer.run(async () => "a"), pacer.run(async () => "b")];
    expect(pacer.full).toBe(true);
    const started = Date.now();
    await expect(pacer.run(async () => "c")).rejects.toMatchObject({ name: "SyncError", errorClass: "throttled", details: { code: "PACING_QUEUE_FULL", retryAfterSeconds: 1 } });
    expect(Date.now() - started).toBeLessThan(50);
    expect(await Promise.all(waiting)).toEqual(["a", "b"]);
    expect(pacer.full).toBe(false);
    expect(await pacer.run(async () => "d")).toBe("d");
  });

  it("holds a minute of requests by default", async () => {
    const pacer = new Pacer({ requestsPerSecond: 2, maxConcurrency: 1 });
    pacer.pauseFor(0.3);
    const leave = new AbortController();
    const accepted = Array.from({ length: 120 }, () => pacer.run(async () => undefined, leave.signal).catch(() => "left"));
    expect(pacer.full).toBe(true);
    await expect(pacer.run(async () => undefined)).rejects.toMatchObject({ details: { code: "PACING_QUEUE_FULL", retryAfterSeconds: 60 } });
    leave.abort();
    expect(new Set(await Promise.all(accepted))).toEqual(new Set(["left"]));
    expect(pacer.full).toBe(false);
  });
});
