import type { z } from "zod";
import type { CallContext, CrmLimits } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import type { KeyedLock } from "../../reliability/keyed-lock";
import { unlessGone } from "../kit/gone";
import { readAll, byOffset } from "../kit/pager";
import { Pacer } from "../kit/pacing";
import { SingleFlight } from "../kit/single-flight";
import { Transport, type HttpMethod, type HttpRequest } from "../kit/transport";
import { announcedWait, closeHttpError } from "./errors";
import type { CloseSchema } from "./field-names";
import { listSchema } from "./schemas";

export type CloseConnectionOptions = {
  /** e.g. `https://api.close.com/api/v1` */
  baseUrl: string;
  apiKey: string;
  limits: CrmLimits;
};

/**
 * Close over the kit's transport: the API key as the Basic username (empty
 * password), paced per connection to the declared limits, and held back
 * whenever Close says its window is spent (a RateLimit with nothing
 * remaining, a Retry-After).
 */
export function closeTransport(options: CloseConnectionOptions): Transport {
  const pacer = new Pacer(options.limits);
  const authorization = `Basic ${Buffer.from(`${options.apiKey}:`).toString("base64")}`;
  return new Transport({
    crm: "Close",
    authorize: async () => ({ baseUrl: options.baseUrl, headers: { authorization } }),
    toError: (answer) => closeHttpError(answer.status, answer.headers, answer.text),
    observe: (headers) => {
      const wait = announcedWait(headers);
      if (wait !== undefined) pacer.pauseFor(wait);
    },
    pacer,
    timeoutMs: 20_000,
    // Record IDs out of paths: they end up in error messages and logs.
    describePath: (path) => path.replace(/\/(lead|cont|acti|actitype|cf|oppo|stat|whsub)_[A-Za-z0-9_-]+\//g, "/{id}/"),
  });
}

/** One adapter call: its context, the connection's pieces and the resolved custom field IDs. */
export type Call = { transport: Transport; lock: KeyedLock; logger: Logger; ctx: CallContext; schema: CloseSchema };

type Options = { query?: HttpRequest["query"]; json?: unknown };

export function send<T extends z.ZodType>(call: Pick<Call, "transport" | "ctx">, method: HttpMethod, path: string, schema: T, options: Options = {}): Promise<z.infer<T>> {
  return call.transport.json(call.ctx, { method, path, ...options }, schema);
}


/** Deleting what is already gone is fine: another writer converged first. */
export async function removeQuietly(call: Call, path: string): Promise<void> {
  await unlessGone(call.transport.send(call.ctx, { method: "DELETE", path }));
}

/** Every item of a Close list endpoint: `_skip`/`_limit` pages of 100 until `has_more` is false. */
export function listAll<T extends z.ZodType>(call: Pick<Call, "transport" | "ctx">, path: string, item: T, query: Record<string, string> = {}): Promise<z.infer<T>[]> {
  const read = byOffset(100, async (skip, limit) => {
    const page = await send(call, "GET", path, listSchema(item), { query: { ...query, _skip: skip, _limit: limit } });
    return { items: page.data, hasMore: page.has_more === true };
  });
  // A list that never ends is a fault, not data: cut off at 100,000 items.
  return readAll(read, { maxPages: 1000, atCap: "fail" });
}

/**
 * A value loaded once per connection (the schema set-up, a field catalogue),
 * kept `lifetimeMs` or for good; a failed load is not kept. The load runs
 * under the context of the caller that started it (its correlation ID and
 * deadline); callers arriving meanwhile share its outcome.
 */
export function loadedOnce<T>(load: (ctx: CallContext) => Promise<T>, lifetimeMs?: number): (ctx: CallContext) => Promise<T> {
  let starter: CallContext | undefined;
  const flight = new SingleFlight(() => load(starter!), lifetimeMs === undefined ? undefined : () => lifetimeMs);
  return (ctx) => {
    // `get` starts a load synchronously, so the load reads this caller's context.
    starter = ctx;
    return flight.get();
  };
}
