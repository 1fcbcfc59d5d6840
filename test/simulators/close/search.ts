import { createHash } from "node:crypto";
import { z } from "zod";
import { customValueKey } from "./lookup";
import { type CloseStore, type Contact, type Email, inCreationOrder, type Lead } from "./store";
import type { SearchIndex } from "./search-index";

/**
 * The Advanced Filtering API (`POST /data/search/`), as far as the docs describe
 * it: a tree of and/or/not, object_type, field_condition (regular or custom
 * field; term, text or exists condition) and has_related queries.
 */
const conditionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("term"), values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) }),
  z.object({
    type: z.literal("text"),
    mode: z.enum(["full_words", "phrase", "beginning_of_words"]).default("full_words"),
    value: z.string().min(1),
  }),
  z.object({ type: z.literal("exists") }),
  /** Dates and times within a range (either end open); fixed instants in UTC. */
  z.object({
    type: z.literal("moment_range"),
    on_or_after: z.object({ type: z.literal("fixed_utc"), value: z.string() }).optional(),
    before: z.object({ type: z.literal("fixed_utc"), value: z.string() }).optional(),
  }),
]);

const fieldSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("regular_field"), object_type: z.string(), field_name: z.string() }),
  z.object({ type: z.literal("custom_field"), custom_field_id: z.string() }),
]);

const objectTypes = ["lead", "contact", "contact_email"] as const;
type ObjectType = (typeof objectTypes)[number];

export type SearchQuery =
  | { type: "and" | "or"; queries: SearchQuery[] }
  | { type: "not"; query: SearchQuery }
  | { type: "match_all" }
  | { type: "object_type"; object_type: ObjectType }
  | { type: "id"; value: string }
  | { type: "field_condition"; field: z.infer<typeof fieldSchema>; condition: z.infer<typeof conditionSchema> }
  | { type: "has_related"; this_object_type: ObjectType; related_object_type: ObjectType; related_query: SearchQuery };

const querySchema: z.ZodType<SearchQuery> = z.lazy(() =>
  z.union([
    z.object({ type: z.enum(["and", "or"]), queries: z.array(querySchema) }),
    z.object({ type: z.literal("not"), query: querySchema }),
    z.object({ type: z.literal("match_all") }),
    z.object({ type: z.literal("object_type"), object_type: z.enum(objectTypes) }),
    z.object({ type: z.literal("id"), value: z.string() }),
    z.object({ type: z.literal("field_condition"), field: fieldSchema, condition: conditionSchema }),
    z.object({
      type: z.literal("has_related"),
      this_object_type: z.enum(objectTypes),
      related_object_type: z.enum(objectTypes),
      related_query: querySchema,
    }),
  ]),
);

export const searchRequestSchema = z
  .object({
    query: querySchema,
    _fields: z.object({ lead: z.array(z.string()).optional(), contact: z.array(z.string()).optional() }).strict().optional(),
    _limit: z.number().int().min(1).max(200).default(10),
    cursor: z.string().nullable().optional(),
    results_limit: z.number().int().min(1).optional(),
    include_counts: z.boolean().optional(),
    sort: z.array(z.object({ direction: z.enum(["asc", "desc"]), field: z.object({ type: z.literal("regular_field"), object_type: z.string(), field_name: z.string() }) })).optional(),
  })
  .strict();
export type SearchRequest = z.infer<typeof searchRequestSchema>;

type Item = { type: "lead"; record: Lead } | { type: "contact"; record: Contact } | { type: "contact_email"; record: Email & { contact: Contact } };

function related(store: CloseStore, item: Item, target: ObjectType): Item[] {
  if (item.type === "lead" && target === "contact") return store.contactsOf(item.record.id).map((record) => ({ type: "contact", record }));
  if (item.type === "lead" && target === "contact_email")
    return store.contactsOf(item.record.id).flatMap((contact) => contact.emails.map((e) => ({ type: "contact_email" as const, record: { ...e, contact } })));
  if (item.type === "contact" && target === "lead") {
    const lead = store.leads.get(item.record.lead_id);
    return lead ? [{ type: "lead", record: lead }] : [];
  }
  if (item.type === "contact" && target === "contact_email")
    return item.record.emails.map((e) => ({ type: "contact_email", record: { ...e, contact: item.record as Contact } }));
  if (item.type === "contact_email" && target === "contact") return [{ type: "contact", record: item.record.contact }];
  return [];
}

function regularValue(item: Item, name: string): unknown {
  if (item.type === "contact_email") return name === "email" ? item.record.email : name === "type" ? item.record.type : undefined;
  const record = item.record as unknown as Record<string, unknown>;
  if (name === "emails" && item.type === "contact") return item.record.emails.map((e) => e.email);
  if (name === "display_name") return record.name;
  const value = record[name];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? undefined : value;
}

const words = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

function matchesCondition(value: unknown, condition: z.infer<typeof conditionSchema>): boolean {
  if (Array.isArray(value)) return value.some((v) => matchesCondition(v, condition));
  if (condition.type === "exists") return value !== undefined && value !== null && value !== "";
  if (value === undefined || value === null) return false;
  if (condition.type === "term") return condition.values.some((v) => v === value);
  if (condition.type === "moment_range") {
    const at = Date.parse(String(value));
    if (Number.isNaN(at)) return false;
    const after = condition.on_or_after ? Date.parse(condition.on_or_after.value) : undefined;
    const before = condition.before ? Date.parse(condition.before.value) : undefined;
    return (after === undefined || at >= after) && (before === undefined || at < before);
  }
  const have = words(String(value));
  const want = words(condition.value);
  if (condition.mode === "beginning_of_words") return want.every((w) => have.some((h) => h.startsWith(w)));
  if (condition.mode === "full_words") return want.every((w) => have.includes(w));
  return have.some((_, i) => want.every((w, j) => have[i + j] === w));
}

function matches(store: CloseStore, item: Item, query: SearchQuery): boolean {
  switch (query.type) {
    case "and":
      return query.queries.every((q) => matches(store, item, q));
    case "or":
      return query.queries.some((q) => matches(store, item, q));
    case "not":
      return !matches(store, item, query.query);
    case "match_all":
      return true;
    case "object_type":
      return item.type === query.object_type;
    case "id":
      return item.type !== "contact_email" && item.record.id === query.value;
    case "has_related":
      return item.type === query.this_object_type && related(store, item, query.related_object_type).some((r) => matches(store, r, query.related_query));
    case "field_condition": {
      const field = query.field;
      if (field.type === "regular_field") {
        if (field.object_type !== item.type) return false;
        return matchesCondition(regularValue(item, field.field_name), query.condition);
      }
      if (item.type === "contact_email") return false;
      const definition = store.customFields.get(field.custom_field_id);
      if (!definition || definition.scope !== item.type) return false;
      return matchesCondition(item.record.custom.get(field.custom_field_id), query.condition);
    }
  }
}

type Cursor = { offset: number; query: string };
const queryHash = (request: SearchRequest) => createHash("sha256").update(JSON.stringify(request.query)).digest("hex").slice(0, 16);

export function decodeCursor(cursor: string | null | undefined, request: SearchRequest): number | undefined {
  if (!cursor) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Cursor;
    return parsed.query === queryHash(request) && Number.isInteger(parsed.offset) ? parsed.offset : undefined;
  } catch {
    return undefined;
  }
}

type Ids = { leads: ReadonlySet<string>; contacts: ReadonlySet<string> };

/**
 * A superset of the leads and contacts the query can match, from the custom-value
 * indexes, when its shape allows (a custom-field term, or an `and` holding
 * one); undefined means every record. `matches` still decides each one.
 */
function narrowed(store: CloseStore, query: SearchQuery): Ids | undefined {
  if (query.type === "field_condition" && query.field.type === "custom_field" && query.condition.type === "term") {
    const fieldId = query.field.custom_field_id;
    const keys = query.condition.values.map((v) => customValueKey(fieldId, v));
    return {
      leads: new Set(keys.flatMap((k) => [...store.leadsByCustomValue.get(k)])),
      contacts: new Set(keys.flatMap((k) => [...store.contactsByCustomValue.get(k)])),
    };
  }
  if (query.type === "id") return { leads: new Set([query.value]), contacts: new Set([query.value]) };
  if (query.type === "and") {
    const parts = query.queries.map((q) => narrowed(store, q)).filter((ids): ids is Ids => ids !== undefined);
    return parts.sort((a, b) => a.leads.size + a.contacts.size - (b.leads.size + b.contacts.size))[0];
  }
  return undefined;
}

/** Leads and contacts matching the query, oldest first, one page of them. */
export function runSearch(store: CloseStore, request: SearchRequest, offset: number, index?: SearchIndex) {
  const ids = narrowed(store, request.query);
  const leads = ids ? inCreationOrder(new Set([...ids.leads].filter((id) => store.leads.has(id))), store.leads) : [...store.leads.values()];
  const contacts = ids ? inCreationOrder(new Set([...ids.contacts].filter((id) => store.contacts.has(id))), store.contacts) : [...store.contacts.values()];
  const indexed = (record: { id: string }) => !index || index.indexed(record.id);
  const candidates: Item[] = [
    ...leads.filter(indexed).map((record) => ({ type: "lead" as const, record })),
    ...contacts.filter(indexed).map((record) => ({ type: "contact" as const, record })),
  ].sort((a, b) => (a.record.date_created < b.record.date_created ? -1 : 1));
  const all = candidates.filter((item) => matches(store, item, request.query));
  for (const { direction, field } of [...(request.sort ?? [])].reverse()) {
    const sign = direction === "asc" ? 1 : -1;
    const value = (item: Item) => String((item.type === field.object_type ? regularValue(item, field.field_name) : undefined) ?? "");
    all.sort((a, b) => (value(a) < value(b) ? -sign : value(a) > value(b) ? sign : 0));
  }
  const total = request.results_limit === undefined ? all.length : Math.min(all.length, request.results_limit);
  const pageItems = all.slice(offset, Math.min(offset + request._limit, total));
  const next = offset + pageItems.length;
  const cursor = next < total ? Buffer.from(JSON.stringify({ offset: next, query: queryHash(request) } satisfies Cursor)).toString("base64url") : null;
  return { items: pageItems as Exclude<Item, { type: "contact_email" }>[], cursor, total };
}
