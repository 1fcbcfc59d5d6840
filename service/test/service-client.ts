import { expect } from "vitest";
import { errorAnswerSchema, routePath, type ApiRoute, type RouteAnswer, type RouteRequest } from "@ct-crm-sync/core/api/contract";
import type { JwtSigner } from "../../test/mc/jwt";
import { forwardedHeaders, type SessionIssuer } from "../../test/support/mc-session";

export const view = ["ViewCrmSync"];
export const manage = ["ViewCrmSync", "ManageCrmSync"];

export type CallOptions = {
  permissions?: string[];
  projectKey?: string;
  /** The user the session is for. */
  subject?: string;
  /** A token of the test's own making; `null` sends none. */
  token?: string | null;
  correlationId?: string;
  /** Further headers, as the MC app forwards them (the user's name on changes). */
  headers?: Record<string, string>;
  body?: unknown;
};

/**
 * Calls the service app as the Merchant Center's `/proxy/forward-to` does:
 * a session JWT for exactly the URL called, issued by `mc`.
 */
export function serviceClient(serviceUrl: string, mc: SessionIssuer, projectKey: string) {
  /** A session token as `/proxy/forward-to` makes it: issuer = MC API, audience = the URL called; `by` signs with another key. */
  function sessionToken(path: string, options: Pick<CallOptions, "permissions" | "projectKey" | "subject"> = {}, by?: JwtSigner) {
    const claims = {
      audience: `${serviceUrl}${path.split("?")[0]}`,
      projectKey: options.projectKey ?? projectKey,
      permissions: options.permissions ?? manage,
      subject: options.subject,
    };
    return mc.token(claims, by);
  }

  /** Any request, as written; the answer must never leak a stack or a secret. */
  async function send(method: string, path: string, options: CallOptions = {}): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { ...forwardedHeaders, ...options.headers };
    const token = options.token === undefined ? sessionToken(path, options) : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.correlationId) headers["x-correlation-id"] = options.correlationId;
    const response = await fetch(`${serviceUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    expect(text).not.toMatch(/\n\s+at \S|node_modules|sandbox-secret/);
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /**
   * One route of the contract, sent as the MC app sends it. A 2xx answer must
   * be exactly what the route's answer schema describes (nothing missing,
   * nothing more); any other status must be the contract's error answer.
   */
  async function call<R extends ApiRoute>(
    route: R,
    request: RouteRequest<R>,
    options: Omit<CallOptions, "body"> = {},
  ): Promise<{ status: number; answer?: RouteAnswer<R>; error?: string }> {
    const { status, body } = await send(route.method, routePath(route, request), { ...options, body: request.body });
    if (status >= 300) return { status, error: errorAnswerSchema.parse(body).error };
    const parsed = route.answer.safeParse(body);
    expect(parsed.error?.issues ?? [], `${route.method} ${route.path} answered off the contract`).toEqual([]);
    expect(parsed.data, `${route.method} ${route.path} answered more than the contract says`).toEqual(body);
    return { status, answer: parsed.data as RouteAnswer<R> };
  }

  return { sessionToken, send, call };
}
export type ServiceClient = ReturnType<typeof serviceClient>;
