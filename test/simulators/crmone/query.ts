import { ApiError } from "./errors";
import type { ModelSpec } from "./models";
import type { FieldValue, StoredRecord } from "./store";

/** The PHP-style query 1CRM reads: `fields[]=a&fields[]=b`, `filters[name]=value`, `order`, `offset`, `limit`. */
export type ListQuery = {
  fields?: string[];
  filters: Record<string, string>;
  filterText?: string;
  order: { field: string; descending: boolean }[];
  offset: number;
  limit: number;
};

/** 1CRM answers at most this many records a list request (the official client says so). */
export const maxLimit = 200;

/** Query parameters by name, `fields[]` and `filters[x]` grouped; anything else 1CRM would not read is refused. */
export function readQuery(url: string, allowed: readonly string[]): { fields?: string[]; filters: Record<string, string>; single: Record<string, string> } {
  const params = new URL(url, "http://sim.invalid").searchParams;
  const fields: string[] = [];
  const filters: Record<string, string> = {};
  const single: Record<string, string> = {};
  for (const [key, value] of params) {
    const filter = /^filters\[([^\]]+)\]$/.exec(key);
    if (key === "fields[]" && allowed.includes("fields")) fields.push(value);
    else if (filter && allowed.includes("filters")) filters[filter[1]!] = value;
    else if (allowed.includes(key) && !(key in single)) single[key] = value;
    else throw new ApiError(400, `Unsupported query parameter ${key}`, "invalid_request");
  }
  return { ...(fields.length > 0 ? { fields } : {}), filters, single };
}

function checkFields(spec: ModelSpec, model: string, names: readonly string[]): void {
  for (const name of names) if (!spec.fields[name]) throw new ApiError(400, `Unknown field ${name} for model ${model}`, "invalid_request");
}

function nonNegativeInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ApiError(400, `${name} must be a non-negative integer`, "invalid_request");
  return Number(value);
}

/** `order=last_name DESC` (a comma list sorts by each in turn; the simulator's reading of the SQL-like parameter). */
function readOrder(value: string | undefined, spec: ModelSpec, model: string): ListQuery["order"] {
  const terms = (value ?? "date_entered ASC, id ASC").split(",").map((term) => term.trim().split(/\s+/));
  return terms.map(([field, direction, ...rest]) => {
    if (!field || rest.length > 0 || (direction !== undefined && !/^(ASC|DESC)$/i.test(direction))) throw new ApiError(400, `Invalid order ${value}`, "invalid_request");
    checkFields(spec, model, [field]);
    return { field, descending: direction?.toUpperCase() === "DESC" };
  });
}

export function parseListQuery(url: string, spec: ModelSpec, model: string): ListQuery {
  const { fields, filters, single } = readQuery(url, ["fields", "filters", "filter_text", "order", "offset", "limit", "query_favorite"]);
  if (fields) checkFields(spec, model, fields);
  for (const name of Object.keys(filters)) if (!spec.filters.includes(name)) throw new ApiError(400, `Unknown filter ${name} for model ${model}`, "invalid_request", "Available filters are listed in the model's metadata");
  return {
    ...(fields ? { fields } : {}),
    filters,
    ...(single.filter_text ? { filterText: single.filter_text } : {}),
    order: readOrder(single.order, spec, model),
    offset: nonNegativeInteger(single.offset, "offset", 0),
    limit: Math.min(maxLimit, nonNegativeInteger(single.limit, "limit", maxLimit) || maxLimit),
  };
}

export function parseRecordQuery(url: string, spec: ModelSpec, model: string): string[] | undefined {
  const { fields } = readQuery(url, ["fields"]);
  if (fields) checkFields(spec, model, fields);
  return fields;
}

/**
 * A filter matches the beginning of a value (1CRM's documented example:
 * `first_name=John` lists "Johnathan" too), case-insensitive as MySQL's
 * default collation compares.
 */
const sameText = (value: FieldValue | undefined, wanted: string) => value !== undefined && String(value === true ? 1 : value === false ? 0 : value).toLowerCase().startsWith(wanted.toLowerCase());

export function matches(record: StoredRecord, query: ListQuery, display: (record: StoredRecord) => Record<string, FieldValue>): boolean {
  if (!Object.entries(query.filters).every(([field, wanted]) => sameText(record[field], wanted))) return false;
  if (!query.filterText) return true;
  const shown = { ...record, ...display(record) };
  const needle = query.filterText.toLowerCase();
  return ["name", "first_name", "last_name", "email1", "email2"].some((field) => typeof shown[field] === "string" && (shown[field] as string).toLowerCase().includes(needle));
}

export function compareBy(order: ListQuery["order"]): (a: StoredRecord, b: StoredRecord) => number {
  const text = (value: FieldValue | undefined) => (value === undefined ? "" : typeof value === "number" ? value : String(value));
  return (a, b) => {
    for (const { field, descending } of order) {
      const [x, y] = [text(a[field]), text(b[field])];
      const diff = typeof x === "number" && typeof y === "number" ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
      if (diff !== 0) return descending ? -diff : diff;
    }
    return 0;
  };
}
