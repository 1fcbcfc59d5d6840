import type { Request } from "express";
import { z } from "zod";
import { actorNameHeader, type Actor } from "@ct-crm-sync/core/api/contract";
import type { SessionRequest } from "../middleware/session";

const nameSchema = z.string().trim().min(1).max(200);

/** The name header as sent: URI-encoded; anything unreadable is no name. */
function nameFrom(header: string | string[] | undefined): string | undefined {
  if (typeof header !== "string") return undefined;
  try {
    const parsed = nameSchema.safeParse(decodeURIComponent(header));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Who asked for a change: the user ID the verified session token carries and
 * the name the MC app showed them by (core/src/api/route.ts says why both).
 * Routes run behind the session middleware, so the session is there.
 */
export function actorOf(req: Request): Actor {
  const userId = (req as SessionRequest).session?.userId ?? "unknown";
  const name = nameFrom(req.headers[actorNameHeader]);
  return name ? { userId, name } : { userId };
}
