import { z } from "zod";
import type { CallContext } from "../../ports/crm-outbound";
import { type PageReader, readAll } from "../kit/pager";
import type { SalesforceApi } from "./api";

/** SOQL string literal: backslash escapes, as the SOQL reference requires. */
export const soqlString = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\r/g, "\\r")}'`;

/** A datetime as REST renders it (`…+0000`) or SOAP carries it (`…Z`), as an ISO instant; undefined when it is none. */
export function isoInstant(value: unknown): string | undefined {
  const time = typeof value === "string" ? Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")) : Number.NaN;
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * The pages of a SOQL query (2,000 rows each): the first from the query, each
 * next one from the previous page's `nextRecordsUrl`, a path on the instance
 * rather than below the API version.
 */
export function queryPages<R extends z.ZodType>(api: SalesforceApi, soql: string, row: R, ctx: CallContext): PageReader<z.infer<R>, string> {
  const page = z.object({ done: z.boolean(), nextRecordsUrl: z.string().optional(), records: z.array(row) });
  return async (next) => {
    const answer = await api.http.json(ctx, next ? { method: "GET", path: next } : { method: "GET", path: `${api.data}/query`, query: { q: soql } }, page);
    return { items: answer.records, next: answer.done ? undefined : answer.nextRecordsUrl };
  };
}

/**
 * IDs named in one `IN (...)` list: the query travels in the URL of a GET,
 * and 100 keys of ~100 characters keep it near 10 KB, well inside what
 * servers take in a request line.
 */
const maxIdsPerQuery = 100;

/**
 * Every row of `object` whose `keyField` is one of `values`: one SOQL query
 * per 100 values (an `IN` list of escaped literals), its pages followed.
 */
export async function rowsWhereIn<R extends z.ZodType>(
  api: SalesforceApi,
  query: { select: string; object: string; keyField: string },
  values: readonly string[],
  row: R,
  ctx: CallContext,
): Promise<z.infer<R>[]> {
  const rows: z.infer<R>[] = [];
  for (let start = 0; start < values.length; start += maxIdsPerQuery) {
    const list = values.slice(start, start + maxIdsPerQuery).map(soqlString).join(", ");
    const soql = `SELECT ${query.select} FROM ${query.object} WHERE ${query.keyField} IN (${list})`;
    // A page holds 2,000 rows: 100 keys fill more than one only when the org holds duplicates of them.
    rows.push(...(await readAll(queryPages(api, soql, row, ctx), { maxPages: 10, atCap: "fail" })));
  }
  return rows;
}
