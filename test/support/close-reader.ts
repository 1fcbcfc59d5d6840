import { z } from "zod";

const page = z.object({ data: z.array(z.looseObject({ id: z.string() })), has_more: z.boolean().optional() });
const searchAnswer = z.object({ data: z.array(z.looseObject({ id: z.string() })), cursor: z.string().nullable().optional() });

export type CloseObject = Record<string, unknown> & { id: string };

/**
 * Reads Close (the simulator) the way a Close user's script would: the API key
 * as Basic auth, list endpoints with `_skip/_limit`, `POST /data/search/`, and
 * custom values under `custom.cf_X` found by the field's name, never through
 * our adapter or our state.
 */
export function closeReader(baseUrl: string, apiKey: string) {
  const authorization = `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`;
  const call = async (method: "GET" | "POST", path: string, query: Record<string, string> = {}, body?: unknown) => {
    const url = new URL(baseUrl + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const response = await fetch(url, {
      method,
      headers: { authorization, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`close reader: ${method} ${path} answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const get = (path: string, query: Record<string, string> = {}) => call("GET", path, query);
  const post = (path: string, body: Record<string, unknown>) => call("POST", path, {}, body);
  const list = async (path: string, query: Record<string, string> = {}): Promise<CloseObject[]> => {
    const out: CloseObject[] = [];
    for (let skip = 0; ; skip += 100) {
      const answer = page.parse(await get(path, { ...query, _skip: String(skip), _limit: "100" }));
      out.push(...answer.data);
      if (!answer.has_more) return out;
    }
  };
  /** The ID (`cf_...`) of the oldest custom field with this name, e.g. on `/custom_field/lead/`. */
  const fieldId = async (path: string, name: string, activityTypeId?: string) => {
    const fields = (await list(path)) as unknown as { id: string; name: string; custom_activity_type_id?: string }[];
    return fields.find((f) => f.name === name && (!activityTypeId || f.custom_activity_type_id === activityTypeId))?.id;
  };
  /** `custom.cf_X`, the key Close returns the field's value under. */
  const fieldKey = async (path: string, name: string, activityTypeId?: string) => {
    const id = await fieldId(path, name, activityTypeId);
    return id ? `custom.${id}` : "custom.missing";
  };
  /** Leads or contacts whose text custom field equals the value, through Close's search API, with the fields asked for. */
  const searchByCustomField = async (objectType: "lead" | "contact", customFieldId: string, value: string, fields: string[]): Promise<CloseObject[]> => {
    const answer = await call("POST", "/data/search/", {}, {
      query: {
        type: "and",
        queries: [
          { type: "object_type", object_type: objectType },
          { type: "field_condition", field: { type: "custom_field", custom_field_id: customFieldId }, condition: { type: "term", values: [value] } },
        ],
      },
      _fields: { [objectType]: ["id", ...fields] },
      _limit: 100,
    });
    return searchAnswer.parse(answer).data;
  };
  return { get, post, list, fieldId, fieldKey, searchByCustomField };
}
export type CloseReader = ReturnType<typeof closeReader>;
