import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CloseHttp } from "./http";

describe("Close HTTP client pacing", () => {
  it("sends at most requestsPerSecond requests in one second, the rest in the next window", async () => {
    const sentAt: number[] = [];
    const fakeFetch = (async () => {
      sentAt.push(Date.now());
      return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    }) as typeof fetch;
    const http = new CloseHttp({ baseUrl: "http://127.0.0.1:9/api/v1", apiKey: "k", requestsPerSecond: 2, fetch: fakeFetch });
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => http.request({ correlationId: "pace" }, "GET", "/me/", z.object({}))));
    const windowOf = (at: number) => Math.floor((at - started) / 1000);
    const perWindow = sentAt.reduce<Record<number, number>>((acc, at) => ({ ...acc, [windowOf(at)]: (acc[windowOf(at)] ?? 0) + 1 }), {});
    expect(Object.values(perWindow)).toEqual([2, 2, 1]);
  });

  it("stops waiting for its turn when the caller's deadline fires", async () => {
    let sent = 0;
    const fakeFetch = (async () => {
      sent++;
      return new Response("{}", { status: 200 });
    }) as typeof fetch;
    const http = new CloseHttp({ baseUrl: "http://127.0.0.1:9/api/v1", apiKey: "k", requestsPerSecond: 1, fetch: fakeFetch });
    await http.request({ correlationId: "first" }, "GET", "/me/", z.object({}));
    const waiting = http.request({ correlationId: "late", signal: AbortSignal.timeout(100) }, "GET", "/me/", z.object({}));
    await expect(waiting).rejects.toMatchObject({ errorClass: "crm_unavailable" });
    expect(sent).toBe(1);
  });
});
