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

/** Records one filtered search page answers at most (as a list view's page). */
export const searchPageSize = 100;

/**
 * Freshsales' filtered search: `POST /filtered_search/<entity>` with one
 * rule, the field's value among `values` (`is_in`), custom fields by their
 * `cf_` name, answered as `{"contacts": [...], "meta": {"total_pages"}}`, 100
 * a page. One request for up to 100 values that each match one record; a
 * next page only when duplicates push the answer past 100. Indexed like
 * lookup: a record written a moment ago may not be found yet.
 */
export async function searchIn<M extends Module>(call: Call, module: M, field: string, values: string[]): Promise<z.infer<(typeof schemas)[M]>[]> {
  const answer = z.object({ [module]: z.array(schemas[module]), meta: z.object({ total_pages: z.number().int() }) });
  const json = { filter_rule: [{ attribute: field, operator: "is_in", value: values }] };
  const found: z.infer<(typeof schemas)[M]>[] = [];
  for (let page = 1; ; page++) {
    const result = await send(call, "POST", `/filtered_search/${entityOf[module]}`, answer, { json, query: { page, per_page: searchPageSize } });
    found.push(...(result[module] as z.infer<(typeof schemas)[M]>[]));
    if (page >= (result.meta as { total_pages: number }).total_pages) return found;
  }
}
