import type { z } from "zod";

/** Where the service serves its API; route paths below are relative to it. */
export const apiBase = "/api";

/**
 * The name the MC app shows its user by, URI-encoded, sent with changes (it
 * travels through `/proxy/forward-to` as `X-Forward-Header-<name>`). The
 * session token proves only the user's ID, and the service cannot ask the
 * Merchant Center for names, so the service records the verified ID beside
 * this name, which is for people to read and never trusted for access.
 */
export const actorNameHeader = "x-crm-sync-user-name";

/** The custom application's permissions: `ViewCrmSync` reads, `ManageCrmSync` changes. */
export type Permission = "View" | "Manage";

/**
 * One route of the service API: what it takes and what it answers. The service
 * registers and parses its routes from these, and the MC app calls and parses
 * through them, so neither side can drift from the other.
 */
export type ApiRoute = {
  method: "GET" | "POST" | "PUT";
  /** Relative to `apiBase`; `:name` segments are the `params`. */
  path: string;
  permission: Permission;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  answer: z.ZodType;
};

/** Keeps a route's literal types (method, path, schemas) for the types below. */
export function apiRoute<const R extends ApiRoute>(route: R): R {
  return route;
}

/** What a caller sends: each part typed by the route's own schema (before defaults). */
export type RouteRequest<R extends ApiRoute> = (R extends { params: infer P extends z.ZodType } ? { params: z.input<P> } : { params?: never }) &
  (R extends { query: infer Q extends z.ZodType } ? { query?: z.input<Q> } : { query?: never }) &
  (R extends { body: infer B extends z.ZodType } ? { body: z.input<B> } : { body?: never });

/** What a route answers with a 2xx. */
export type RouteAnswer<R extends ApiRoute> = z.output<R["answer"]>;

/**
 * The URL path of a call, `apiBase` included: params filled in (encoded), query
 * values that are set written as strings.
 */
export function routePath<R extends ApiRoute>(route: R, request: RouteRequest<R>): string {
  const { params, query } = request as { params?: Record<string, unknown>; query?: Record<string, unknown> };
  const path = route.path.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === "") throw new Error(`${route.method} ${route.path} needs the ${name} parameter`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) search.set(key, String(value));
  }
  const written = search.toString();
  return `${apiBase}${path}${written ? `?${written}` : ""}`;
}
