import type { z } from "zod";
import { type InboundRequest, MalformedDelivery } from "../../ports/crm-inbound";

/**
 * A webhook's JSON body checked against the CRM's delivery schema; an
 * authentic body that is not JSON, or not of that shape, is a
 * MalformedDelivery (stored for review and acknowledged). Messages name the
 * paths of what was wrong, never values.
 */
export function readJsonDelivery<T extends z.ZodType>(request: InboundRequest, schema: T, crm: string): z.infer<T> {
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    throw new MalformedDelivery(`${crm} delivery is not JSON`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new MalformedDelivery(`${crm} delivery has an unexpected shape at ${parsed.error.issues.map((i) => i.path.join(".") || "(body)").join(", ")}`);
  return parsed.data;
}
