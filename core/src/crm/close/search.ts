import { z } from "zod";
import { oldestFirst } from "../kit/converge";
import { readAll } from "../kit/pager";
import { send, type Call } from "./connection";
import { customKey } from "./field-names";
import { searchResponseSchema, type SearchHit } from "./schemas";

/** Builders for the Advanced Filtering API (`POST /data/search/`). */
type Query = Record<string, unknown>;
type Fields = { lead?: string[]; contact?: string[] };

const objectType = (type: "lead" | "contact"): Query => ({ type: "object_type", object_type: type });
const customField = (customFieldId: string, condition: Query): Query => ({
  type: "field_condition",
  field: { type: "custom_field", custom_field_id: customFieldId },
  condition,
});

/** Objects whose custom field holds any of these values (one `term` condition with all of them). */
export const byCustomField = (type: "lead" | "contact", customFieldId: string, values: string[]): Query => ({
  type: "and",
  queries: [objectType(type), customField(customFieldId, { type: "term", values })],
});

/** Objects with any value in this custom field. */
export const withCustomField = (type: "lead" | "contact", customFieldId: string): Query => ({
  type: "and",
  queries: [objectType(type), customField(customFieldId, { type: "exists" })],
});

/** Leads whose text custom field holds any of these phrases (word based: callers check what they get). */
export const leadsWithAnyText = (customFieldId: string, phrases: string[]): Query => ({
  type: "and",
  queries: [objectType("lead"), { type: "or", queries: phrases.map((value) => customField(customFieldId, { type: "text", mode: "phrase", value })) }],
});

/** Contacts with an email address containing this phrase (text search is word based: callers compare the whole address). */
const contactByEmail = (email: string): Query => ({
  type: "and",
  queries: [
    objectType("contact"),
    {
      type: "has_related",
      this_object_type: "contact",
      related_object_type: "contact_email",
      related_query: {
        type: "field_condition",
        field: { type: "regular_field", object_type: "contact_email", field_name: "email" },
        condition: { type: "text", mode: "phrase", value: email },
      },
    },
  ],
});

/** One page of hits: Close's largest (200), so a batch of people's contacts fits one page. */
export function searchPage(call: Call, query: Query, fields: Fields, cursor: string | undefined) {
  return send(call, "POST", "/data/search/", searchResponseSchema, { json: { query, _fields: fields, _limit: 200, ...(cursor ? { cursor } : {}) } });
}

/** All hits, following the cursor; 10 pages at most guard against a runaway match of a generic query (callers decide on each hit). */
export function searchAll(call: Call, query: Query, fields: Fields): Promise<SearchHit[]> {
  return readAll(async (cursor: string | undefined) => {
    const page = await searchPage(call, query, fields, cursor);
    return { items: page.data, next: page.cursor };
  }, { maxPages: 10, atCap: "stop" });
}

export const createdAt = (hit: { date_created?: string | null | undefined }) => hit.date_created ?? undefined;

/**
 * Search hits per value, oldest first, for many values in one search: only hits whose
 * custom value really is one of them (the search is trusted to narrow, not to
 * decide). Every value has an entry, empty when nothing matched.
 */
export async function findByCustomValues(call: Call, type: "lead" | "contact", fieldId: string, values: string[], fields: string[]): Promise<Map<string, SearchHit[]>> {
  const byValue = new Map<string, SearchHit[]>(values.map((v) => [v, []]));
  if (values.length === 0) return byValue;
  const key = customKey(fieldId);
  for (const hit of await searchAll(call, byCustomField(type, fieldId, values), { [type]: ["id", "date_created", key, ...fields] })) {
    const value = hit[key];
    if (hit.__object_type === type && typeof value === "string") byValue.get(value)?.push(hit);
  }
  for (const [value, hits] of byValue) byValue.set(value, oldestFirst(hits, createdAt));
  return byValue;
}

export const contactHitFields = ["lead_id", "name", "emails"];

const emailsSchema = z.array(z.looseObject({ email: z.string() })).catch([]);

/** Contacts holding exactly this address (any case), oldest first. */
export async function contactsWithEmail(call: Call, email: string): Promise<SearchHit[]> {
  const wanted = email.toLowerCase();
  const hits = await searchAll(call, contactByEmail(email), { contact: ["id", "date_created", customKey(call.schema.contact.customerId), ...contactHitFields] });
  return oldestFirst(
    hits.filter((h) => emailsSchema.parse(h.emails).some((e) => e.email.toLowerCase() === wanted)),
    createdAt,
  );
}

export const leadIdOf = (hit: SearchHit): string | undefined => z.string().optional().parse(hit.lead_id ?? undefined);
