import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createCommercetoolsApi, isNotFound, statusOf } from "./client";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A stand-in API server on 127.0.0.1 that answers the token request and hands every other request to `handle`. */
async function apiServer(handle: Handler) {
  const seen: { method: string; url: string; body: string; auth?: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.url?.startsWith("/oauth/token")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ access_token: "token-1", token_type: "Bearer", expires_in: 3600, scope: "manage_project:p" }));
        return;
      }
      seen.push({ method: req.method!, url: req.url!, body, auth: req.headers.authorization });
      handle(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  const api = (timeoutMs?: number) =>
    createCommercetoolsApi({ CTP_PROJECT_KEY: "p", CTP_CLIENT_ID: "id", CTP_CLIENT_SECRET: "secret", CTP_AUTH_URL: url, CTP_API_URL: url }, { timeoutMs });
  return { api, seen };
}

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
};

describe("commercetools client over undici", () => {
  it("sends the bearer token and JSON body, and answers the parsed body", async () => {
    const { api, seen } = await apiServer((_req, body, res) => json(res, 201, { container: "c", key: "k", version: 1, value: JSON.parse(body).value }));
    const { body, statusCode } = await api().customObjects().post({ body: { container: "c", key: "k", value: { n: 1 } } }).execute();
    expect(statusCode).toBe(201);
    expect(body).toMatchObject({ key: "k", value: { n: 1 } });
    expect(seen[0]).toMatchObject({ method: "POST", url: "/p/custom-objects", auth: "Bearer token-1" });
  });

  it("turns an error status into an error carrying status and body", async () => {
    const { api } = await apiServer((_req, _body, res) =>
      json(res, 409, { statusCode: 409, message: "version", errors: [{ code: "ConcurrentModification", currentVersion: 3 }] }),
    );
    const error = await api().customObjects().post({ body: { container: "c", key: "k", value: 1, version: 0 } }).execute().catch((e: unknown) => e);
    expect(statusOf(error)).toBe(409);
    expect((error as { body: { errors: { currentVersion: number }[] } }).body.errors[0]!.currentVersion).toBe(3);
    const { api: missing } = await apiServer((_req, _body, res) => json(res, 404, { statusCode: 404, message: "not found", errors: [{ code: "ResourceNotFound", message: "not found" }] }));
    expect(isNotFound(await missing().customObjects().withContainerAndKey({ container: "c", key: "x" }).get().execute().catch((e: unknown) => e))).toBe(true);
  });

  it("retries a 503 and a request slower than the timeout, then answers", async () => {
    let calls = 0;
    const { api, seen } = await apiServer((_req, _body, res) => {
      calls += 1;
      if (calls === 1) return json(res, 503, { statusCode: 503, message: "busy" });
      if (calls === 2) return void setTimeout(() => json(res, 200, { late: true }), 1_000);
      json(res, 200, { id: "c1", version: 1 });
    });
    const { body } = await api(200).customers().withId({ ID: "c1" }).get().execute();
    expect(body).toMatchObject({ id: "c1" });
    expect(seen.map((s) => s.url)).toEqual(["/p/customers/c1", "/p/customers/c1", "/p/customers/c1"]);
  });
});
