import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CallContext, WriteOutcome } from "../../ports/crm-outbound";
import type { SalesforceApi } from "./api";
import { recordError, recordErrorSchema } from "./errors";
import type { SObjectBody } from "./mapping";

/** sObject Collections take at most 200 records a request. */
export const maxCollectionSize = 200;

const resultSchema = z.array(
  z.union([
    z.object({ id: z.string(), success: z.literal(true), created: z.boolean().optional(), errors: z.array(z.unknown()) }),
    z.object({ success: z.literal(false), errors: z.array(recordErrorSchema) }),
  ]),
);

/** One record to upsert: its outcome's `sourceId`, and the external-ID value it is keyed by when that is not the source ID (a cart's deal key). */
export type UpsertItem = { sourceId: string; externalId?: string; body: SObjectBody };

const keyOf = (item: UpsertItem) => (item.externalId ?? item.sourceId).toLowerCase();

/**
 * Writes `items` `size` a call and answers every input position, in input
 * order. Salesforce refuses a request naming the same external ID twice
 * (DUPLICATE_EXTERNAL_ID for all of them), so only the last occurrence (the
 * newest state) is written and its outcome given to every position. External
 * IDs compare without case.
 */
export async function inChunks(items: UpsertItem[], size: number, write: (chunk: UpsertItem[]) => Promise<WriteOutcome[]>): Promise<WriteOutcome[]> {
  const lastIndex = new Map<string, number>();
  items.forEach((item, i) => lastIndex.set(keyOf(item), i));
  const unique = [...lastIndex.values()].sort((a, b) => a - b).map((i) => items[i]!);
  const slot = new Map(unique.map((item, i) => [keyOf(item), i]));
  const outcomes: WriteOutcome[] = [];
  for (let start = 0; start < unique.length; start += size) outcomes.push(...(await write(unique.slice(start, start + size))));
  return items.map((item) => ({ ...outcomes[slot.get(keyOf(item))!]!, sourceId: item.sourceId }));
}

/**
 * Upserts by external ID through `PATCH /composite/sobjects/{object}/{field}`
 * (allOrNone false), 200 records a request. A failed request throws; records
 * refused by the org come back as failed outcomes.
 */
export function upsertCollection(api: SalesforceApi, object: string, externalIdField: string, items: UpsertItem[], ctx: CallContext): Promise<WriteOutcome[]> {
  return inChunks(items, maxCollectionSize, async (chunk) => {
    const records = chunk.map((item) => ({ attributes: { type: object }, ...item.body, [externalIdField]: item.externalId ?? item.sourceId }));
    const path = `${api.data}/composite/sobjects/${object}/${externalIdField}`;
    const results = await api.http.json(ctx, { method: "PATCH", path, json: { allOrNone: false, records } }, resultSchema);
    if (results.length !== chunk.length) {
      throw new SyncError({ errorClass: "unknown", message: `Salesforce answered ${results.length} results for ${chunk.length} records` });
    }
    return results.map((result, i): WriteOutcome => {
      const sourceId = chunk[i]!.sourceId;
      return result.success ? { sourceId, ok: true, crmId: result.id, created: result.created ?? false } : { sourceId, ok: false, error: recordError(result.errors, externalIdField) };
    });
  });
}
