import { DataverseError, badProperty, codes } from "./errors";
import { compareValues, equalityOn, matches, parseFilter, type Filter } from "./filter";
import { etag, lookupKind, type DataverseStore, type Row } from "./store";
import { readableColumns, type TableDef } from "./tables";

/** A collection query: `$select`, `$filter`, `$orderby`, `$top`, and where the page starts (`$skiptoken`). */
export type Query = {
  select?: string[];
  filter?: Filter;
  orderBy: { column: string; descending: boolean }[];
  top?: number;
  skipToken?: string;
};

/** Rows a page holds at most, whatever `odata.maxpagesize` asks for. */
export const maxPageSize = 5000;

const supported = new Set(["$select", "$filter", "$orderby", "$top", "$skiptoken"]);

function checkColumns(table: TableDef, names: string[]): void {
  const known = readableColumns(table);
  const unknown = names.find((n) => !known.has(n));
  if (unknown) throw badProperty(`Could not find a property named '${unknown}' on type 'Microsoft.Dynamics.CRM.${table.logicalName}'.`);
}

export function parseSelect(table: TableDef, params: URLSearchParams): string[] | undefined {
  const select = params.get("$select");
  if (select === null) return undefined;
  const names = select.split(",").map((s) => s.trim()).filter(Boolean);
  checkColumns(table, names);
  return names;
}

export function parseQuery(table: TableDef, params: URLSearchParams): Query {
  for (const name of params.keys()) {
    if (name.startsWith("$") && !supported.has(name)) throw new DataverseError(400, codes.badRequest, `The query parameter '${name}' is not supported by this simulator.`);
  }
  const known = readableColumns(table);
  const query: Query = { orderBy: [] };
  const select = parseSelect(table, params);
  if (select) query.select = select;
  const filter = params.get("$filter");
  if (filter !== null) query.filter = parseFilter(filter, (c) => known.has(c), table.logicalName);
  for (const clause of (params.get("$orderby") ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const [column, direction = "asc", ...rest] = clause.split(/\s+/);
    if (rest.length > 0 || !["asc", "desc"].includes(direction)) throw badProperty(`Syntax error in $orderby '${clause}'.`);
    checkColumns(table, [column!]);
    query.orderBy.push({ column: column!, descending: direction === "desc" });
  }
  const top = params.get("$top");
  if (top !== null) {
    if (!/^\d+$/.test(top)) throw badProperty(`Invalid value '${top}' for $top query option found.`);
    query.top = Number(top);
  }
  const skipToken = params.get("$skiptoken");
  if (skipToken !== null) query.skipToken = skipToken;
  return query;
}

/** Nulls first, as SQL Server sorts them; then the row's primary key, so every order is total. */
function sortKey(table: TableDef, query: Query, row: Row): unknown[] {
  return [...query.orderBy.map((o) => row[o.column] ?? null), row[table.primaryKey]];
}

function compareKeys(table: TableDef, query: Query, a: unknown[], b: unknown[]): number {
  const directions = [...query.orderBy.map((o) => o.descending), false];
  for (const [i, descending] of directions.entries()) {
    const [x, y] = [a[i] ?? null, b[i] ?? null];
    const order = x === null || y === null ? Number(y === null) - Number(x === null) : (compareValues(x, y) ?? 0);
    if (order !== 0) return descending ? -order : order;
  }
  return 0;
}

const encodeToken = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString("base64url");

function decodeToken(token: string): unknown[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (Array.isArray(key)) return key;
  } catch {
    // fall through
  }
  throw badProperty(`The $skiptoken '${token}' is not valid.`);
}

/**
 * One page of a collection query: the rows after the skip token's position
 * in the query's order (keyset paging, so rows written between pages neither
 * repeat nor vanish), and the token of the next page when there is one.
 */
export function queryPage(store: DataverseStore, table: TableDef, query: Query, pageSize: number): { rows: Row[]; nextToken?: string } {
  const lookup = table.alternateKey && query.filter ? equalityOn(query.filter, table.alternateKey) : undefined;
  const candidates =
    lookup !== undefined ? [...new Set(lookup.flatMap((value) => store.idsByAlternateKey(table, value)))].map((id) => store.rows(table).get(id)!) : [...store.rows(table).values()];
  const filtered = query.filter ? candidates.filter((row) => matches(query.filter!, row)) : candidates;
  const sorted = filtered.map((row) => ({ row, key: sortKey(table, query, row) })).sort((a, b) => compareKeys(table, query, a.key, b.key));
  const after = query.skipToken ? decodeToken(query.skipToken) : undefined;
  const remaining = after ? sorted.filter((r) => compareKeys(table, query, r.key, after) > 0) : sorted;
  // `$top` answers one page of at most that many rows and no next link (unverified: Dataverse's docs advise against mixing it with paging).
  const limit = query.top === undefined ? pageSize : Math.min(query.top, maxPageSize);
  const page = remaining.slice(0, limit);
  const more = query.top === undefined && remaining.length > limit;
  return more ? { rows: page.map((r) => r.row), nextToken: encodeToken(page.at(-1)!.key) } : { rows: page.map((r) => r.row) };
}

/**
 * A row as the Web API answers it: the etag, the primary key, and the
 * selected columns (all when none are); with `annotations` (`Prefer:
 * odata.include-annotations`), each lookup's target table beside its value.
 */
export function project(table: TableDef, row: Row, select: string[] | undefined, annotations = false): Row {
  const columns = select ?? Object.keys(row).filter((c) => !c.includes("@"));
  const out: Row = { "@odata.etag": etag(row) };
  for (const column of columns) {
    out[column] = row[column] ?? null;
    if (annotations && row[lookupKind(column)]) out[lookupKind(column)] = row[lookupKind(column)];
  }
  out[table.primaryKey] = row[table.primaryKey];
  return out;
}
