import { Router, type Request } from "express";
import type { z } from "zod";
import type { ApiRoute } from "@ct-crm-sync/core/api/contract";
import { requirePermission } from "../middleware/session";
import { parseOrThrow } from "./parse";

type Part = "params" | "query" | "body";
type Parsed<R extends ApiRoute, P extends Part> = R extends { [key in P]: infer S extends z.ZodType } ? z.output<S> : undefined;

/** A request's parts as the route's schemas parsed them. */
export type RouteInput<R extends ApiRoute> = { [P in Part]: Parsed<R, P> };

/** What a handler returns: anything the route's answer schema accepts. */
export type Answer<R extends ApiRoute> = z.input<R["answer"]>;

const methods = { GET: "get", POST: "post", PUT: "put" } as const;

/**
 * Serves one route of the contract (core/src/api) on `router`, which is
 * mounted at the API base: its permission first, then its params, query and
 * body parsed with its schemas (a 400 names the first wrong field), and the
 * handler's answer typed by its answer schema, so a route cannot answer what
 * the MC app would not read.
 */
export function serve<R extends ApiRoute>(router: Router, route: R, handle: (input: RouteInput<R>, req: Request) => Promise<Answer<R>> | Answer<R>): void {
  router[methods[route.method]](route.path, requirePermission(route.permission), async (req, res) => {
    const input = {
      params: route.params ? parseOrThrow(route.params, req.params, "params") : undefined,
      query: route.query ? parseOrThrow(route.query, req.query, "query") : undefined,
      body: route.body ? parseOrThrow(route.body, req.body, "body") : undefined,
    } as RouteInput<R>;
    res.json(await handle(input, req));
  });
}
