import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { createJwtSigner } from "./jwt";
import { answerMcQuery, type McPermissions } from "./mc-graphql";

/**
 * A local stand-in for the Merchant Center API, enough for a built custom
 * application to log in, start and call our service:
 *
 * - `GET /login/authorize` redirects back to the app's OIDC callback with a
 *   session token (a JWT whose nonce is the request's `state`);
 * - `POST /graphql` answers the shell's `mc` queries; the user's permissions
 *   (`canViewCrmSync` / `canManageCrmSync`) are configurable at any time;
 * - `/proxy/forward-to` checks the browser's session token and passes the request
 *   to the URL in `X-Forward-To` with a fresh RS256 session JWT (≈60 s) and the
 *   `x-mc-api-*` headers, as the real MC API does; the JWKS to verify it is at
 *   `/.well-known/jwks.json`, so the service's `createSessionMiddleware` with
 *   `issuer` = this stand-in's URL accepts it;
 * - `/proxy/ctp/*` passes requests on to the commercetools API (the emulator).
 *
 * Forwarding only ever goes to loopback hosts.
 */
export type McStandInOptions = {
  projectKey: string;
  /** Origin the MC app is served from (OIDC callback and CORS). Can be set later with setAppUrl. */
  appUrl?: string;
  entryPointUriPath?: string;
  ctpApiUrl?: string;
  cloudIdentifier?: string;
  permissions?: McPermissions;
  user?: { id: string; email: string; firstName: string; lastName: string };
  port?: number;
};

export type ForwardedRequest = {
  method: string;
  target: string;
  status: number;
  userPermissions: string[];
};

export type McStandIn = {
  url: string;
  setAppUrl(url: string): void;
  setCtpApiUrl(url: string): void;
  setPermissions(permissions: McPermissions): void;
  /** Every `/proxy/forward-to` request, in order. */
  forwarded: ForwardedRequest[];
  /** A session token as the login flow would hand out (for tests calling the proxy directly). */
  issueSessionToken(nonce?: string): string;
  close(): Promise<void>;
};

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);
const graphqlBodySchema = z.object({
  operationName: z.string().nullish(),
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
});
const audiencePolicySchema = z.enum(["forward-url-full-path", "forward-url-origin"]);

/** Permission names as the MC puts them into the forwarded JWT (`canViewCrmSync` → `ViewCrmSync`). */
export function permissionNames(permissions: McPermissions): string[] {
  return Object.entries(permissions)
    .filter(([, granted]) => granted)
    .map(([name]) => name.replace(/^can/, ""));
}

export async function startMcStandIn(options: McStandInOptions): Promise<McStandIn> {
  const signer = createJwtSigner();
  const entryPointUriPath = options.entryPointUriPath ?? "crm-sync";
  const cloudIdentifier = options.cloudIdentifier ?? "gcp-eu";
  const user = options.user ?? { id: "user-local-1", email: "merchant@example.test", firstName: "Mia", lastName: "Merchant" };
  let appUrl = options.appUrl;
  let ctpApiUrl = options.ctpApiUrl;
  let permissions: McPermissions = options.permissions ?? { canViewCrmSync: true, canManageCrmSync: true };
  const forwarded: ForwardedRequest[] = [];
  let url = "";

  const issueSessionToken = (nonce?: string) => {
    const now = Math.floor(Date.now() / 1000);
    return signer.sign({
      iss: url,
      sub: user.id,
      aud: appUrl ?? url,
      iat: now,
      exp: now + 12 * 3600,
      email: user.email,
      ...(nonce ? { nonce } : {}),
    });
  };

  const cors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin && isLoopbackUrl(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Allow-Credentials", "true");
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", "X-Correlation-Id");
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 502, { error: error instanceof Error ? error.message : String(error) });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    cors(req, res);
    const requestUrl = new URL(req.url ?? "/", url);
    const path = requestUrl.pathname;

    if (req.method === "OPTIONS") {
      res.setHeader("Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,OPTIONS");
      res.setHeader("Access-Control-Allow-Headers", req.headers["access-control-request-headers"] ?? "*");
      res.setHeader("Access-Control-Max-Age", "600");
      res.writeHead(204).end();
      return;
    }
    if (path === "/health") return sendJson(res, 200, { ok: true });
    if (path === "/.well-known/jwks.json") return sendJson(res, 200, signer.jwks());

    if (req.method === "GET" && path === "/login/authorize") {
      const state = requestUrl.searchParams.get("state");
      if (!state) return sendJson(res, 400, { error: "missing state" });
      if (!appUrl) return sendJson(res, 500, { error: "the stand-in does not know the app URL yet" });
      const token = issueSessionToken(requestUrl.searchParams.get("nonce") ?? state);
      const callback = `${appUrl.replace(/\/$/, "")}/${options.projectKey}/${entryPointUriPath}/oidc/callback`;
      const fragment = new URLSearchParams({ sessionToken: token, state }).toString();
      res.writeHead(302, { Location: `${callback}#${fragment}` }).end();
      return;
    }
    if (path === "/logout") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("logged out");
      return;
    }

    // Everything below needs a session.
    const session = sessionFrom(req);
    if (path === "/graphql" && req.method === "POST") {
      if (!session) return sendJson(res, 401, { message: "Unauthorized" });
      const body = graphqlBodySchema.safeParse(JSON.parse((await readBody(req)).toString("utf8") || "{}"));
      if (!body.success) return sendJson(res, 400, { errors: [{ message: "invalid GraphQL request" }] });
      const answer = answerMcQuery({ projectKey: options.projectKey, user, permissions }, body.data.query);
      return sendJson(res, 200, answer);
    }
    if (path === "/proxy/forward-to") {
      if (!session) return sendJson(res, 401, { message: "Unauthorized" });
      return forwardTo(req, res, session);
    }
    if (path.startsWith("/proxy/ctp/")) {
      if (!session) return sendJson(res, 401, { message: "Unauthorized" });
      if (!ctpApiUrl) return sendJson(res, 502, { error: "no commercetools API configured" });
      const target = `${ctpApiUrl.replace(/\/$/, "")}/${path.slice("/proxy/ctp/".length)}${requestUrl.search}`;
      return pass(req, res, target, { authorization: "Bearer mc-stand-in" });
    }
    sendJson(res, 404, { error: `no route ${req.method} ${path}` });
  }

  function sessionFrom(req: IncomingMessage): Record<string, unknown> | undefined {
    const header = req.headers.authorization;
    if (typeof header !== "string" || !header.startsWith("Bearer ")) return undefined;
    const claims = signer.verify(header.slice("Bearer ".length));
    return claims && claims.iss === url ? claims : undefined;
  }

  async function forwardTo(req: IncomingMessage, res: ServerResponse, session: Record<string, unknown>) {
    const target = header(req, "x-forward-to");
    if (!target) return sendJson(res, 400, { error: "missing X-Forward-To" });
    if (!isLoopbackUrl(target)) return sendJson(res, 403, { error: "the stand-in only forwards to loopback hosts" });
    const version = header(req, "accept-version") ?? "v1";
    if (version !== "v2") return sendJson(res, 400, { error: "only Accept-version: v2 is supported" });
    const policy = audiencePolicySchema.safeParse(header(req, "x-forward-to-audience-policy") ?? "forward-url-full-path");
    if (!policy.success) return sendJson(res, 400, { error: "invalid X-Forward-To-Audience-Policy" });
    const projectKey = header(req, "x-project-key");
    if (projectKey !== options.projectKey) return sendJson(res, 403, { error: `no access to project ${projectKey ?? "(none)"}` });
    const claimsWanted = (header(req, "x-forward-to-claims") ?? "").split(/[\s,]+/).filter(Boolean);

    const targetUrl = new URL(target);
    const audience = policy.data === "forward-url-origin" ? targetUrl.origin : `${targetUrl.origin}${targetUrl.pathname === "/" ? "" : targetUrl.pathname}`;
    const now = Math.floor(Date.now() / 1000);
    const userPermissions = permissionNames(permissions);
    const token = signer.sign({
      iss: url,
      sub: session.sub,
      aud: audience,
      iat: now,
      exp: now + 60,
      jti: randomUUID(),
      [`${url}/claims/project_key`]: projectKey,
      ...(claimsWanted.includes("permissions") ? { [`${url}/claims/user_permissions`]: userPermissions } : {}),
    });
    const extra: Record<string, string> = {
      authorization: `Bearer ${token}`,
      "x-mc-api-cloud-identifier": cloudIdentifier,
      "x-mc-api-forward-to-version": "v2",
    };
    // Custom headers travel as `X-Forward-Header-<name>`.
    for (const [name, value] of Object.entries(req.headers)) {
      const match = /^x-forward-header-(.+)$/i.exec(name);
      if (match?.[1] && typeof value === "string") extra[match[1].toLowerCase()] = value;
    }
    const status = await pass(req, res, target, extra);
    forwarded.push({ method: req.method ?? "GET", target, status, userPermissions });
  }

  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    forwarded,
    setAppUrl(next) {
      appUrl = next;
    },
    setCtpApiUrl(next) {
      ctpApiUrl = next;
    },
    setPermissions(next) {
      permissions = next;
    },
    issueSessionToken,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isLoopbackUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && loopbackHosts.has(parsed.hostname);
  } catch {
    return false;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

/** Passes the request on to `target` with the given extra headers; returns the upstream status. */
async function pass(req: IncomingMessage, res: ServerResponse, target: string, extra: Record<string, string>): Promise<number> {
  const headers: Record<string, string> = {};
  for (const name of ["content-type", "accept", "x-correlation-id", "accept-language"]) {
    const value = header(req, name);
    if (value) headers[name] = value;
  }
  Object.assign(headers, extra);
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
  const upstream = await fetch(target, { method, headers, body: body && body.length > 0 ? body : undefined, redirect: "manual" });
  const payload = Buffer.from(await upstream.arrayBuffer());
  const out: Record<string, string> = {};
  const contentType = upstream.headers.get("content-type");
  if (contentType) out["Content-Type"] = contentType;
  const correlationId = upstream.headers.get("x-correlation-id");
  if (correlationId) out["X-Correlation-Id"] = correlationId;
  res.writeHead(upstream.status, out).end(payload);
  return upstream.status;
}
