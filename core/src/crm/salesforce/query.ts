import { z } from "zod";
import type { CallContext } from "../../ports/crm-outbound";
import type { PageReader } from "../kit/pager";
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
