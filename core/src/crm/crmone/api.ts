import { z } from "zod";
import type { CallContext } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import type { KeyedLock } from "../../reliability/keyed-lock";
import { unlessGone } from "../kit/gone";
import { byOffset, readAll } from "../kit/pager";
import type { Transport } from "../kit/transport";

/** One adapter call: the connection's transport and lock, and the caller's context. */
export type Call = { transport: Transport; lock: KeyedLock; logger: Logger; ctx: CallContext };

/**
 * A record as 1CRM answers it: its ID and whatever fields were asked for.
 * Empty fields come back as null (the OpenAPI files say string; the instance
 * says null) or not at all.
 */
export const crmOneRecord = z.looseObject({ id: z.string().min(1) });
export type CrmOneRecord = z.infer<typeof crmOneRecord>;

const listAnswer = z.object({ records: z.array(crmOneRecord), total_results: z.coerce.number() });

/** 1CRM answers at most this many records a list request. */
export const pageSize = 200;

export type ListOptions = {
  fields: readonly string[];
  filters?: Record<string, string>;
  /** `field ASC|DESC`, comma-separated for ties. */
  order?: string;
  offset?: number;
  limit?: number;
};

/** `GET /data/{Model}?fields[]=…&filters[f]=v&order=…&offset=…&limit=…` → the page and the number of records matching in all. */
export async function listPage(call: Pick<Call, "transport" | "ctx">, model: string, options: ListOptions): Promise<{ records: CrmOneRecord[]; total: number }> {
  const filters = Object.fromEntries(Object.entries(options.filters ?? {}).map(([field, value]) => [`filters[${field}]`, value]));
  const answer = await call.transport.json(
    call.ctx,
    {
      method: "GET",
      path: `/data/${model}`,
      query: { "fields[]": options.fields, ...filters, order: options.order, offset: options.offset ?? 0, limit: options.limit ?? pageSize },
    },
    listAnswer,
  );
  return { records: answer.records, total: answer.total_results };
}

/**
 * Whether a record holds exactly the filters' values. 1CRM's own example of
 * a list filter (`first_name=John` listing "Johnathan" too) shows a filter
 * matches the beginning of a value: a key that begins another key
 * (`…-refunded-1`, `…-refunded-10`, `ann@example.com`, `ann@example.com.au`)
 * must not be taken for it (nor a duplicate of it deleted). Compared as the
 * instance compares: case ignored.
 */
const holdsExactly = (record: CrmOneRecord, filters: Record<string, string>) =>
  Object.entries(filters).every(([field, value]) => typeof record[field] === "string" && (record[field] as string).toLowerCase() === value.toLowerCase());

/**
 * Every record holding exactly the filters' values (the filtered fields are
 * read along): a handful (duplicates of one key) is what these finds
 * expect; more than 1,000 matches of the filters is a fault.
 */
export async function findAll(call: Pick<Call, "transport" | "ctx">, model: string, filters: Record<string, string>, fields: readonly string[], order?: string): Promise<CrmOneRecord[]> {
  const asked = [...new Set([...fields, ...Object.keys(filters)])];
  const read = byOffset(pageSize, async (offset, limit) => {
    const page = await listPage(call, model, { fields: asked, filters, offset, limit, ...(order ? { order } : {}) });
    return { items: page.records, hasMore: offset + page.records.length < page.total };
  });
  return (await readAll(read, { maxPages: 5, atCap: "fail" })).filter((record) => holdsExactly(record, filters));
}

export async function getRecord(call: Pick<Call, "transport" | "ctx">, model: string, id: string, fields: readonly string[]): Promise<CrmOneRecord | undefined> {
  const answer = await unlessGone(
    call.transport.json(call.ctx, { method: "GET", path: `/data/${model}/${encodeURIComponent(id)}`, query: { "fields[]": fields } }, z.object({ record: crmOneRecord })),
  );
  return answer?.record;
}

export async function createRecord(call: Pick<Call, "transport" | "ctx">, model: string, data: Record<string, unknown>): Promise<string> {
  return (await call.transport.json(call.ctx, { method: "POST", path: `/data/${model}`, json: { data } }, z.object({ id: z.string().min(1) }))).id;
}

export async function updateRecord(call: Pick<Call, "transport" | "ctx">, model: string, id: string, data: Record<string, unknown>): Promise<void> {
  await call.transport.json(call.ctx, { method: "PATCH", path: `/data/${model}/${encodeURIComponent(id)}`, json: { data } }, z.object({ result: z.boolean().optional() }));
}

/** Deleting what is already gone is fine: another writer converged first. */
export async function deleteRecord(call: Pick<Call, "transport" | "ctx">, model: string, id: string): Promise<void> {
  await unlessGone(call.transport.send(call.ctx, { method: "DELETE", path: `/data/${model}/${encodeURIComponent(id)}` }));
}

/** `2026-01-02 03:04:05` (1CRM, UTC) → `2026-01-02T03:04:05Z`, so every process orders records alike. */
export function isoTimestamp(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

/** A string field of a record, when it holds a non-empty string. */
export function text(record: CrmOneRecord, field: string): string | undefined {
  const value = record[field];
  return typeof value === "string" && value !== "" ? value : undefined;
}
