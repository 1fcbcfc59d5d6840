import { CommercetoolsMock } from "@labdigital/commercetools-mock";
import { IndexedStorage, requestQuery, type RequestQuery } from "./indexed-storage";
import { cartsAsCommercetools } from "./carts";

/**
 * The commercetools emulator as a real HTTP server on 127.0.0.1, with its
 * documented gaps closed so our code meets the real API's semantics:
 *  - `sort` is honoured on query endpoints, predicate variables (`var.<name>`)
 *    on custom objects by container too, a parameter repeated more than 20
 *    times stays a list, and queries cost what an indexed lookup costs
 *    (indexed-storage.ts);
 *  - custom-object POST with `version: 0` on an existing object answers 409
 *    ConcurrentModification instead of overwriting (create-only semantics);
 *  - a cart created with a `key` keeps it (the emulator drops it), and a
 *    second cart with a key in use is refused as DuplicateField;
 *  - a cart's total carries its currency's fraction digits, and an order
 *    created from a cart leaves the cart Ordered (carts.ts).
 * Everything else is the emulator unchanged.
 */
export type Emulator = {
  url: string;
  authUrl: string;
  projectKey: string;
  mock: CommercetoolsMock;
  close(): Promise<void>;
};

export const sandboxProjectKey = "sandbox";

/** A successful write to a resource, as the emulator answered it. */
export type EmulatorWrite = {
  method: string;
  /** Path below the project, e.g. `customers/…`, `orders/import`. */
  path: string;
  requestBody: unknown;
  responseBody: unknown;
};

export async function startEmulator(
  options: { port?: number; projectKey?: string; onWrite?: (write: EmulatorWrite) => void } = {},
): Promise<Emulator> {
  const projectKey = options.projectKey ?? sandboxProjectKey;
  const mock = new CommercetoolsMock({
    defaultProjectKey: projectKey,
    enableAuthentication: true,
    validateCredentials: false,
    silent: true,
    storage: new IndexedStorage(),
  });
  const app = mock.app;
  app.addHook("onRequest", (request, _reply, done) => {
    const query = request.query as Record<string, unknown>;
    // Its query-string parser (qs) turns a parameter repeated more than 20 times into an object keyed
    // "0", "1", …; commercetools takes `id in :ids` with hundreds of values: back to the list it was.
    for (const [key, value] of Object.entries(query)) {
      if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).every((k) => /^\d+$/.test(k))) {
        query[key] = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
      }
    }
    // The emulator parses queries with qs, which turns a parameter repeated more than 20 times
    // into an object keyed by position: `var.ids` for a batch of 100 IDs would match nothing.
    for (const [key, value] of Object.entries(query)) {
      if (key.startsWith("var.") && value !== null && typeof value === "object" && !Array.isArray(value)) query[key] = Object.values(value);
    }
    const sort = query.sort === undefined ? undefined : ([] as string[]).concat(query.sort as string | string[]);
    const variables = Object.fromEntries(Object.entries(query).filter(([key]) => key.startsWith("var."))) as RequestQuery["variables"];
    requestQuery.enterWith({ ...(sort ? { sort } : {}), variables });
    done();
  });
  app.addHook("preHandler", async (request, reply) => {
    if (request.method !== "POST" || !/\/custom-objects\/?$/.test(request.url.split("?")[0] ?? "")) return;
    const draft = request.body as { container?: string; key?: string; version?: number } | undefined;
    if (draft?.version !== 0 || !draft.container || !draft.key) return;
    const pk = (request.params as { projectKey?: string }).projectKey ?? projectKey;
    const existing = await mock
      .project(pk)
      .getRepository("key-value-document")
      .getWithContainerAndKey({ projectKey: pk } as never, draft.container, draft.key);
    if (existing) {
      return reply.status(409).send({
        statusCode: 409,
        message: `Object ${existing.id} has a different version than expected. Expected: 0 - Actual: ${existing.version}.`,
        errors: [{ code: "ConcurrentModification", message: "version mismatch", currentVersion: existing.version }],
      });
    }
  });
  cartsAsCommercetools(mock);
  const cartsPath = /^\/([^/]+)\/carts\/?$/;
  app.addHook("preHandler", async (request, reply) => {
    const match = request.method === "POST" ? cartsPath.exec(request.url.split("?")[0] ?? "") : null;
    const key = (request.body as { key?: unknown } | undefined)?.key;
    if (!match || typeof key !== "string") return;
    const existing = await mock.project(match[1]!).getRepository("cart").getByKey({ projectKey: match[1]! } as never, key);
    if (existing) {
      return reply.status(400).send({
        statusCode: 400,
        message: `A duplicate value '"${key}"' exists for field 'key'.`,
        errors: [{ code: "DuplicateField", message: "duplicate key", field: "key", duplicateValue: key }],
      });
    }
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const match = request.method === "POST" && reply.statusCode === 201 ? cartsPath.exec(request.url.split("?")[0] ?? "") : null;
    const key = (request.body as { key?: unknown } | undefined)?.key;
    if (!match || typeof key !== "string" || typeof payload !== "string") return payload;
    const cart = { ...(JSON.parse(payload) as Record<string, unknown>), key };
    await mock.project(match[1]!).unsafeAdd("cart", cart as never);
    return JSON.stringify(cart);
  });
  if (options.onWrite) {
    const onWrite = options.onWrite;
    app.addHook("onSend", async (request, reply, payload) => {
      if (request.method === "GET" || reply.statusCode >= 300 || typeof payload !== "string") return payload;
      const [path = ""] = request.url.split("?");
      const below = path.replace(/^\/[^/]+\//, "");
      try {
        onWrite({ method: request.method, path: below, requestBody: request.body, responseBody: JSON.parse(payload) });
      } catch {
        // Not JSON: not a resource write.
      }
      return payload;
    });
  }
  await app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const url = `http://127.0.0.1:${port}`;
  return { url, authUrl: url, projectKey, mock, close: () => app.close() };
}
