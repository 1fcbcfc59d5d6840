import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CallContext } from "../../ports/crm-outbound";
import { type PageReader, readAll } from "../kit/pager";
import type { DataverseApi } from "./api";

/** A Dataverse record ID (primary key). */
export const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** An OData string literal: single quotes, a quote inside doubled. */
export const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * A record by alternate key, `/contacts(ct_customerid='c-1')`, URL-encoded
 * inside the parentheses (a key may hold `/`, `?`, `#` or spaces). The same
 * form serves `@odata.bind` values.
 */
export const byKey = (entitySet: string, column: string, value: string) => `/${entitySet}(${column}=${encodeURIComponent(odataString(value))})`;

/** A record by primary key. */
export const byId = (entitySet: string, id: string) => `/${entitySet}(${encodeURIComponent(id)})`;

/** Record IDs and key values out of a path before it reaches a message. */
export const describePath = (path: string) => path.replace(/\(([^)]*)\)/g, "({key})");

/** A collection page: `value`, and `@odata.nextLink` while there is more. */
const pageSchema = <R extends z.ZodType>(row: R) => z.object({ value: z.array(row), "@odata.nextLink": z.string().optional() });

/**
 * The pages of a collection query, `pageSize` rows each (`Prefer:
 * odata.maxpagesize`): the first from the query, each next one from the
 * previous page's `@odata.nextLink`. A next link must lie below the org's
 * service root: our token goes nowhere else.
 */
export function queryPages<R extends z.ZodType>(
  api: DataverseApi,
  request: { entitySet: string; query: Record<string, string | undefined>; pageSize: number },
  row: R,
  ctx: CallContext,
): PageReader<z.infer<R>, string> {
  const headers = { prefer: `odata.maxpagesize=${request.pageSize}` };
  return async (next) => {
    if (next !== undefined && !next.startsWith(`${api.serviceRoot}/`)) {
      throw new SyncError({ errorClass: "unknown", message: "Dynamics 365 named a next page outside the org's Web API; not followed" });
    }
    const answer = await api.http.json(ctx, next ? { method: "GET", path: next, headers } : { method: "GET", path: `/${request.entitySet}`, query: request.query, headers }, pageSchema(row));
    return { items: answer.value, next: answer["@odata.nextLink"] };
  };
}

/** IDs a `Microsoft.Dynamics.CRM.In` filter names at most: one query per hundred keeps the URL short. */
export const maxKeysPerQuery = 100;

/** `Microsoft.Dynamics.CRM.In(PropertyName='col',PropertyValues=['a','b'])`: rows whose column holds one of the values. */
export const inFilter = (column: string, values: readonly string[]) =>
  `Microsoft.Dynamics.CRM.In(PropertyName=${odataString(column)},PropertyValues=[${values.map(odataString).join(",")}])`;

/** Rows a key query can answer: the keys asked plus a few duplicates; more is a runaway. */
const maxKeyPages = 5;

/**
 * Every row whose `column` holds one of `values`: one query per hundred values
 * (an `In` filter, never one request per value), every row answered, so a
 * value held twice answers two rows.
 */
export async function rowsByValues<R extends z.ZodType>(
  api: DataverseApi,
  request: { entitySet: string; column: string; values: readonly string[]; select: readonly string[] },
  row: R,
  ctx: CallContext,
): Promise<z.infer<R>[]> {
  const unique = [...new Set(request.values)];
  const rows: z.infer<R>[] = [];
  for (let at = 0; at < unique.length; at += maxKeysPerQuery) {
    const query = { $select: request.select.join(","), $filter: inFilter(request.column, unique.slice(at, at + maxKeysPerQuery)) };
    rows.push(...(await readAll(queryPages(api, { entitySet: request.entitySet, query, pageSize: 1000 }, row, ctx), { maxPages: maxKeyPages, atCap: "fail" })));
  }
  return rows;
}
