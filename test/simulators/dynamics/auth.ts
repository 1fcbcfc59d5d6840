import { randomBytes, randomUUID } from "node:crypto";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";

/** An app registration allowed to call the org, and the Dataverse user it acts as (its application user). */
export type SimClient = { secret: string; userId: string; name: string };

/** The sandbox's two app registrations: the connector's, and one standing in for a salesperson's tools. */
export const defaultClients: Record<string, SimClient> = {
  "sandbox-client": { secret: "sandbox-secret", userId: "a0c0ffee-0000-4000-8000-000000000001", name: "# ct-crm-sync" },
  "sandbox-sales": { secret: "sales-secret", userId: "a0c0ffee-0000-4000-8000-000000000002", name: "Sam Sales" },
};

/** Access tokens issued by the token endpoint; `expireAll` stands in for tokens running out. */
export class TokenIssuer {
  private readonly tokens = new Map<string, { userId: string; expiresAt: number }>();
  issued = 0;

  constructor(readonly ttlSeconds: number) {}

  issue(userId: string): string {
    // Shaped like a JWT (three dot-separated parts); its content means nothing to the simulator.
    const token = ["eyJ0eXAiOiJKV1QifQ", randomBytes(24).toString("base64url"), randomBytes(16).toString("base64url")].join(".");
    this.tokens.set(token, { userId, expiresAt: Date.now() + this.ttlSeconds * 1000 });
    this.issued++;
    return token;
  }

  userOf(token: string): string | undefined {
    const entry = this.tokens.get(token);
    return entry && entry.expiresAt > Date.now() ? entry.userId : undefined;
  }

  expireAll(): void {
    this.tokens.clear();
  }
}

const tokenForm = z.object({ grant_type: z.string(), client_id: z.string(), client_secret: z.string(), scope: z.string() }).partial();

/** Microsoft identity's error answer: `{error, error_description, error_codes, timestamp, trace_id, correlation_id}`. */
function identityError(res: Response, status: number, error: string, code: number, description: string): void {
  res.status(status).json({
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}

/**
 * `POST /{tenant}/oauth2/v2.0/token`, the client-credentials grant only, as
 * Microsoft identity answers it. The scope must be the org's URL + `/.default`.
 */
export function tokenRouter(issuer: TokenIssuer, tenant: string, clients: Record<string, SimClient>): Router {
  const router = express.Router();
  router.post("/:tenant/oauth2/v2.0/token", express.urlencoded({ extended: false }), (req, res) => {
    if (req.params.tenant !== tenant) return identityError(res, 400, "invalid_request", 90002, `Tenant '${req.params.tenant}' not found.`);
    const form = tokenForm.safeParse(req.body ?? {});
    const body = form.success ? form.data : {};
    if (body.grant_type !== "client_credentials") return identityError(res, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    const client = body.client_id ? clients[body.client_id] : undefined;
    if (!client) return identityError(res, 400, "unauthorized_client", 700016, `Application with identifier '${body.client_id ?? ""}' was not found in the directory '${tenant}'.`);
    if (body.client_secret !== client.secret) return identityError(res, 401, "invalid_client", 7000215, "Invalid client secret provided.");
    const resource = `${req.protocol}://${req.get("host")}`;
    if (body.scope !== `${resource}/.default` && body.scope !== `${resource}//.default`) {
      return identityError(res, 400, "invalid_scope", 1002012, `The provided value for scope ${body.scope ?? ""} is not valid.`);
    }
    res.json({ token_type: "Bearer", expires_in: issuer.ttlSeconds, ext_expires_in: issuer.ttlSeconds, access_token: issuer.issue(client.userId) });
  });
  return router;
}

/** Web API calls need a current bearer token; Dataverse answers 401 with WWW-Authenticate and no body otherwise. The caller's user goes to `res.locals.userId`. */
export function bearerAuth(issuer: TokenIssuer, tenant: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer (.+)$/.exec(req.get("authorization") ?? "");
    const userId = match ? issuer.userOf(match[1]!) : undefined;
    if (userId) {
      res.locals.userId = userId;
      return next();
    }
    const origin = `${req.protocol}://${req.get("host")}`;
    res.status(401).set("WWW-Authenticate", `Bearer authorization_uri=${origin}/${tenant}/oauth2/authorize, resource_id=${origin}/`).end();
  };
}
