import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A proxy in front of the commercetools emulator that answers some customer
 * requests as commercetools does when it is busy or when someone else wrote
 * first: 503 on reads and updates, 409 ConcurrentModification (with the
 * customer's current version) on updates. Only customer requests are
 * touched; everything else passes through unchanged.
 */
export type CommercetoolsFaults = {
  url: string;
  /** Share (0..1) of customer reads and updates answered 503, and of customer updates answered 409. */
  arm(rates: { unavailable: number; conflict: number }): void;
  disarm(): void;
  readonly injected: { unavailable: number; conflict: number };
  /** Customer updates the emulator accepted through this proxy (writes the apps made). */
  readonly customerUpdates: { count: number };
  close(): Promise<void>;
};

const customerPath = /^\/[^/]+\/customers\/[^/?]+$/;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startCommercetoolsFaults(target: string): Promise<CommercetoolsFaults> {
  let rates = { unavailable: 0, conflict: 0 };
  const injected = { unavailable: 0, conflict: 0 };
  const customerUpdates = { count: 0 };
  const server: Server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? "/").split("?")[0]!;
      const payload = await body(req);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "content-length", "connection"].includes(k))) as Record<string, string>;
      const isCustomer = customerPath.test(path);
      if (isCustomer && Math.random() < rates.unavailable) {
        injected.unavailable++;
        res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ statusCode: 503, message: "Service unavailable (injected)" }));
        return;
      }
      if (isCustomer && req.method === "POST" && Math.random() < rates.conflict) {
        injected.conflict++;
        const current = await fetch(`${target}${path}`, { headers });
        const { version } = (await current.json()) as { version: number };
        res.writeHead(409, { "content-type": "application/json" }).end(
          JSON.stringify({ statusCode: 409, message: "version mismatch (injected)", errors: [{ code: "ConcurrentModification", message: "version mismatch", currentVersion: version }] }),
        );
        return;
      }
      const answer = await fetch(`${target}${req.url}`, { method: req.method, headers, ...(payload.length > 0 ? { body: payload } : {}) });
      const text = Buffer.from(await answer.arrayBuffer());
      if (isCustomer && req.method === "POST" && answer.ok) customerUpdates.count++;
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" }).end(text);
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arm: (next) => (rates = next),
    disarm: () => (rates = { unavailable: 0, conflict: 0 }),
    injected,
    customerUpdates,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
