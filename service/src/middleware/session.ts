import { createSessionMiddleware } from "@commercetools-backend/express";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Permission } from "@ct-crm-sync/core/api/contract";
import { HttpError } from "@ct-crm-sync/core/http/base-app";

type Session = { userId: string; projectKey: string; userPermissions?: string[] };
export type SessionRequest = Request & { session?: Session };

/**
 * Verifies the Merchant Center session JWT that `/proxy/forward-to` adds
 * (signature, issuer, audience, expiry) and that it is for this project.
 * Any failure is a 401: the reason goes to the caller, never a stack.
 */
export function merchantCenterSession(options: { audience: string; issuer: string; projectKey: string }): RequestHandler {
  const verify = createSessionMiddleware({ audience: options.audience, issuer: options.issuer });
  return (req, res, next) => {
    verify(req as never, res as never, (error?: unknown) => {
      if (error) return next(new HttpError(401, "missing or invalid Merchant Center session"));
      const session = (req as SessionRequest).session;
      if (!session || session.projectKey !== options.projectKey) {
        return next(new HttpError(403, "the session is not for this project"));
      }
      next();
    });
  };
}

/** The custom application's permissions: `ViewCrmSync` / `ManageCrmSync` (the MC may prefix `can`). */
export function hasPermission(session: Session | undefined, permission: Permission): boolean {
  const granted = new Set((session?.userPermissions ?? []).map((p) => p.replace(/^can/, "")));
  if (permission === "View") return granted.has("ViewCrmSync") || granted.has("ManageCrmSync");
  return granted.has("ManageCrmSync");
}

export function requirePermission(permission: Permission): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (hasPermission((req as SessionRequest).session, permission)) return next();
    next(new HttpError(403, `this needs the ${permission}CrmSync permission`));
  };
}
