import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { SyncError } from "../../domain/errors";
import { Pacer } from "./pacing";
import { Transport, type TransportOptions } from "./transport";

type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: string; at: number };
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: Date.now() });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  handler = (_req, res) => json(res, 200, { ok: true });
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

const toError: TransportOptions["toError"] = (answer) =>
  new SyncError({ errorClass: answer.status === 401 ? "auth" : "validation", status: answer.status, message: `Fake said ${answer.text}` });

function transport(options: Partial<TransportOptions> = {}) {
  return new Transport({ crm: "Fake", authorize: async () => ({ baseUrl, headers: { authorization: "Bearer t" } }), toError, ...options });
}

const ctx = { correlationId: "corr-1" };
const okSchema = z.object({ ok: z.boolean() });

describe("Transport", () => {
  it("sends JSON with the correlation header and authorization, and answers the zod-checked body", async () => {
    handler = (_req, res) => json(res, 200, { ok: true, extra: 1 });
    const answer = await transport().json(ctx, { method: "POST", path: "/things/", query: { a: "x y", list: ["1", "2"], skip: undefined }, json: { name: "n" } }, okSchema);
    expect(answer).toEqual({ ok: true });
    const [request] = seen;
    expect(request).toMatchObject({ method: "POST", url: "/api/things/?a=x+y&list=1&list=2", body: '{"name":"n"}' });
    expect(request!.headers).toMatchObject({ "x-correlation-id": "corr-1", authorization: "Bearer t", "content-type": "application/json", accept: "application/json" });
  });

  it("names the correlation header as the CRM wants it, and takes an absolute path as it is", async () => {
    await transport({ correlationHeader: "x-request-id" }).send(ctx, { method: "GET", path: `${baseUrl.replace(/\/api\/$/, "")}/next/page?cursor=c1` });
    expect(seen[0]).toMatchObject({ url: "/next/page?cursor=c1" });
    expect(seen[0]!.headers["x-request-id"]).toBe("corr-1");
    expect(seen[0]!.headers["x-correlation-id"]).toBeUndefined();
  });

  it("refuses an answer of the wrong shape or malformed JSON as unknown, naming paths but no values", async () => {
    handler = (_req, res) => json(res, 200, { ok: "secret@example.com" });
    const wrong = await transport({ describePath: (p) => p.replace(/\/things\/[^/]+/, "/things/{id}") })
      .json(ctx, { method: "GET", path: "/things/t_123/" }, okSchema)
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ errorClass: "unknown", message: "Fake answer for GET /things/{id}/ has an unexpected shape at ok" });
    expect((wrong as Error).message).not.toContain("secret");

    handler = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"ok": ');
    await expect(transport().json(ctx, { method: "GET", path: "/x" }, okSchema)).rejects.toMatchObject({ errorClass: "unknown", message: "Fake sent malformed JSON for GET /x" });
  });

  it("turns an error status into the CRM's own error through toError", async () => {
    handler = (_req, res) => json(res, 400, { reason: "bad field" });
    const seenAnswers: number[] = [];
    const error = await transport({ toError: (a) => (seenAnswers.push(a.status), toError(a)) })
      .send(ctx, { method: "GET", path: "/x" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ errorClass: "validation" });
    expect((error as SyncError).details).toMatchObject({ status: 400, message: 'Fake said {"reason":"bad field"}' });
    expect(seenAnswers).toEqual([400]);
  });

  it("re-authorises once on 401 and resends with the fresh credentials; a second 401 is the CRM's error", async () => {
    let token = "old";
    handler = (req, res) => (req.headers.authorization === "Bearer new" ? json(res, 200, { ok: true }) : json(res, 401, { error: "expired" }));
    const reauthorized: string[] = [];
    const options: Partial<TransportOptions> = {
      authorize: async () => ({ baseUrl, headers: { authorization: `Bearer ${token}` } }),
      reauthorize: async (rejected) => {
        reauthorized.push(rejected.headers.authorization!);
        token = "new";
        return true;
      },
    };
    expect(await transport(options).json(ctx, { method: "GET", path: "/x" }, okSchema)).toEqual({ ok: true });
    expect(seen.map((s) => s.headers.authorization)).toEqual(["Bearer old", "Bearer new"]);
    expect(reauthorized).toEqual(["Bearer old"]);

    seen.length = 0;
    handler = (_req, res) => json(res, 401, { error: "never" });
    await expect(transport(options).send(ctx, { method: "GET", path: "/x" })).rejects.toMatchObject({ errorClass: "auth" });
    expect(seen).toHaveLength(2);
  });

  it("does not resend when reauthorize declines", async () => {
    handler = (_req, res) => json(res, 401, {});
    await expect(transport({ reauthorize: async () => false }).send(ctx, { method: "GET", path: "/x" })).rejects.toMatchObject({ errorClass: "auth" });
    expect(seen).toHaveLength(1);
  });

  it("gives up as crm_unavailable when the caller aborts, and when its own timeout passes", async () => {
    handler = (_req, res) => setTimeout(() => json(res, 200, { ok: true }), 2_000);
    const aborted = transport().send({ correlationId: "c", signal: AbortSignal.timeout(50) }, { method: "GET", path: "/slow" });
    await expect(aborted).rejects.toMatchObject({ errorClass: "crm_unavailable" });
    const started = Date.now();
    await expect(transport({ timeoutMs: 80 }).send(ctx, { method: "GET", path: "/slow" })).rejects.toMatchObject({ errorClass: "crm_unavailable" });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("turns a refused connection into crm_unavailable", async () => {
    const nowhere = new Transport({ crm: "Fake", authorize: async () => ({ baseUrl: "http://127.0.0.1:9/", headers: {} }), toError });
    await expect(nowhere.send(ctx, { method: "GET", path: "/x" })).rejects.toMatchObject({ errorClass: "crm_unavailable", message: expect.stringContaining("Fake unreachable") });
  });

  it("refuses an answer larger than the limit, declared or streamed", async () => {
    const big = "x".repeat(5_000);
    handler = (_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(big);
    await expect(transport({ maxResponseBytes: 1_000 }).text(ctx, { method: "GET", path: "/big" })).rejects.toMatchObject({ message: expect.stringContaining("more than 1000 bytes") });
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 5; i++) res.write("y".repeat(1_000));
      res.end();
    };
    await expect(transport({ maxResponseBytes: 1_000 }).text(ctx, { method: "GET", path: "/chunked" })).rejects.toMatchObject({ message: expect.stringContaining("refused") });
    expect(await transport({ maxResponseBytes: 10_000 }).text(ctx, { method: "GET", path: "/chunked" })).toHaveLength(5_000);
  });

  it("sends a text body with its content type, and lets observe see every answer's headers, errors included", async () => {
    const observed: (string | null)[] = [];
    handler = (req, res) => json(res, req.url === "/api/fail" ? 400 : 200, { ok: true }, { "x-usage": req.url! });
    const t = transport({ observe: (headers) => observed.push(headers.get("x-usage")) });
    await t.text(ctx, { method: "PUT", path: "/csv", body: "a,b\n1,2\n", contentType: "text/csv" });
    await t.send(ctx, { method: "GET", path: "/fail" }).catch(() => undefined);
    expect(seen[0]).toMatchObject({ body: "a,b\n1,2\n" });
    expect(seen[0]!.headers["content-type"]).toBe("text/csv");
    expect(observed).toEqual(["/api/csv", "/api/fail"]);
  });

  it("sends through the pacer: no more requests a second than it allows", async () => {
    const t = transport({ pacer: new Pacer({ requestsPerSecond: 2, maxConcurrency: 5 }) });
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => t.send(ctx, { method: "GET", path: "/x" })));
    const perSecond = seen.reduce<number[]>((acc, s) => {
      const second = Math.floor((s.at - started) / 1000);
      acc[second] = (acc[second] ?? 0) + 1;
      return acc;
    }, []);
    expect(perSecond).toEqual([2, 2, 1]);
  });

  it("leaves the pacer's queue as crm_unavailable when the caller's deadline fires while it waits", async () => {
    const t = transport({ pacer: new Pacer({ requestsPerSecond: 1, maxConcurrency: 1 }) });
    await t.send(ctx, { method: "GET", path: "/first" });
    const waiting = t.send({ correlationId: "late", signal: AbortSignal.timeout(100) }, { method: "GET", path: "/late" });
    await expect(waiting).rejects.toMatchObject({ errorClass: "crm_unavailable" });
    expect(seen.map((s) => s.url)).toEqual(["/api/first"]);
  });
});
