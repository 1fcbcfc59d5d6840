import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CallContext } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import { customKey, type CloseSchema } from "./field-names";
import type { CloseHttp } from "./http";
import type { KeyedMutex } from "./keyed-mutex";
import { byCustomField, oldestFirst, searchAll } from "./search";
import { emptySchema, type SearchHit } from "./schemas";

/** What every record writer needs. */
export type Deps = { http: CloseHttp; mutex: KeyedMutex; logger?: Logger | undefined };

/** One call's worth of context: the call itself and the resolved schema. */
export type Call = Deps & { ctx: CallContext; schema: CloseSchema };

export type WriteResult = { crmId: string; created: boolean };

/** Deleting what is already gone is fine: another writer converged first. */
export async function deleteQuietly(call: Call, path: string): Promise<void> {
  try {
    await call.http.request(call.ctx, "DELETE", path, emptySchema);
  } catch (error) {
    if (!(error instanceof SyncError && error.errorClass === "not_found")) throw error;
  }
}

/**
 * Search hits per value, oldest first, for many values in one search: only
 * hits whose custom value really is one of them (the search is trusted to
 * narrow, not to decide). Every value has an entry, empty when nothing matched.
 */
export async function findByCustomValues(
  call: Call,
  type: "lead" | "contact",
  fieldId: string,
  values: string[],
  fields: string[],
): Promise<Map<string, SearchHit[]>> {
  const byValue = new Map<string, SearchHit[]>(values.map((v) => [v, []]));
  if (values.length === 0) return byValue;
  const key = customKey(fieldId);
  const hits = await searchAll(call.http, call.ctx, byCustomField(type, fieldId, [...byValue.keys()]), { [type]: ["id", "date_created", key, ...fields] });
  for (const hit of hits) {
    const value = hit[key];
    if (hit.__object_type === type && typeof value === "string") byValue.get(value)?.push(hit);
  }
  for (const [value, found] of byValue) byValue.set(value, oldestFirst(found));
  return byValue;
}

export async function findByCustomValue(call: Call, type: "lead" | "contact", fieldId: string, value: string, fields: string[]): Promise<SearchHit[]> {
  return (await findByCustomValues(call, type, fieldId, [value], fields)).get(value)!;
}

export const contactHitFields = ["lead_id", "name", "emails"];

export const leadIdOf = (hit: SearchHit): string | undefined => z.string().optional().parse(hit.lead_id ?? undefined);
