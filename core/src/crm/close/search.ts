import type { CallContext } from "../../ports/crm-outbound";
import type { CloseHttp } from "./http";
import { searchResponseSchema, type SearchHit } from "./schemas";

/** Builders for the Advanced Filtering API (`POST /data/search/`). */
type Query = Record<string, unknown>;

const objectType = (type: "lead" | "contact"): Query => ({ type: "object_type", object_type: type });

/** Objects whose custom field holds any of these values (one `term` condition with all of them). */
export function byCustomField(type: "lead" | "contact", customFieldId: string, values: string[]): Query {
  return {
    type: "and",
    queries: [
      objectType(type),
      { type: "field_condition", field: { type: "custom_field", custom_field_id: customFieldId }, condition: { type: "term", values } },
    ],
  };
}

/**
 * Contacts with an email address containing this phrase. Text search is word
 * based, so callers still compare the whole address themselves.
 */
export function contactByEmail(email: string): Query {
  return {
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
  };
}

/** Hits a search page holds at most (Close's limit for `/data/search/`): a batch of people's contacts fits one page. */
const searchPageSize = 200;

/** All hits, following the cursor; `maxPages` guards against a runaway match on a generic query. */
export async function searchAll(
  http: CloseHttp,
  ctx: CallContext,
  query: Query,
  fields: { lead?: string[]; contact?: string[] },
  maxPages = 10,
): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  let cursor: string | null | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await http.request(ctx, "POST", "/data/search/", searchResponseSchema, {
      body: { query, _fields: fields, _limit: searchPageSize, ...(cursor ? { cursor } : {}) },
    });
    hits.push(...answer.data);
    cursor = answer.cursor;
    if (!cursor) break;
  }
  return hits;
}

/** Oldest first (creation time, then ID): every writer picks the same survivor. */
export function oldestFirst<T extends { id: string; date_created?: string | undefined }>(items: T[]): T[] {
  return [...items].sort(
    (a, b) => (Date.parse(a.date_created ?? "") || 0) - (Date.parse(b.date_created ?? "") || 0) || (a.date_created ?? "").localeCompare(b.date_created ?? "") || a.id.localeCompare(b.id),
  );
}
