import { randomUUID } from "node:crypto";
import type { Request } from "express";

const header = "x-correlation-id";
const safe = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's correlation ID when it is well-formed, else the fallback, else a new one. */
export function correlationIdFrom(req: Request, fallback?: string): string {
  const given = req.get(header);
  if (given && safe.test(given)) return given;
  return fallback ?? `ccs-${randomUUID()}`;
}
