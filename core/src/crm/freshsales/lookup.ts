import { z } from "zod";
import { send, type Call } from "./connection";
import type { Module } from "./fields";
import { contactSchema, dealSchema, salesAccountSchema } from "./schemas";

const schemas = { contacts: contactSchema, sales_accounts: salesAccountSchema, deals: dealSchema } as const;
const entityOf: Record<Module, string> = { contacts: "contact", sales_accounts: "sales_account", deals: "deal" };

/**
 * Freshsales' lookup search: records of one module whose field holds
 * exactly this value (custom fields by their `cf_` name), answered as
 * `{"contacts": {"contacts": [...]}}`. Search is indexed: a record written
 * a moment ago may not be found yet.
 */
export async function lookup<M extends Module>(call: Call, module: M, field: string, value: string): Promise<z.infer<(typeof schemas)[M]>[]> {
  const answer = z.object({ [module]: z.object({ [module]: z.array(schemas[module]) }) });
  const found = await send(call, "GET", "/lookup", answer, { query: { q: value, f: field, entities: entityOf[module] } });
  return (found[module] as Record<string, z.infer<(typeof schemas)[M]>[]>)[module]!;
}
