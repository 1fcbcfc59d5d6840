import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CallContext, WriteOutcome } from "../../ports/crm-outbound";
import type { SalesforceClient } from "./client";
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

export type UpsertItem = { sourceId: string; body: SObjectBody };

/**
 * Salesforce refuses a request naming the same external ID twice
 * (DUPLICATE_EXTERNAL_ID for all of them). Keep the last occurrence (the newest
 * state) and give its outcome to every position. External IDs compare without case.
 */
export function dedupe(items: UpsertItem[]): { unique: UpsertItem[]; positionOf: number[] } {
  const lastIndex = new Map<string, number>();
  items.forEach((item, i) => lastIndex.set(item.sourceId.toLowerCase(), i));
  const unique: UpsertItem[] = [];
  const slot = new Map<string, number>();
  for (const [key, index] of [...lastIndex].sort((a, b) => a[1] - b[1])) {
    slot.set(key, unique.length);
    unique.push(items[index]!);
  }
  return { unique, positionOf: items.map((item) => slot.get(item.sourceId.toLowerCase())!) };
}

/**
 * Upserts by external ID through `PATCH /composite/sobjects/{object}/{field}`
 * (allOrNone false), 200 records a request, outcomes in input order. A failed
 * request throws; records refused by the org come back as failed outcomes.
 */
export async function upsertCollection(
  client: SalesforceClient,
  object: string,
  externalIdField: string,
  items: UpsertItem[],
  ctx: CallContext,
): Promise<WriteOutcome[]> {
  const { unique, positionOf } = dedupe(items);
  const outcomes: WriteOutcome[] = [];
  for (let start = 0; start < unique.length; start += maxCollectionSize) {
    const chunk = unique.slice(start, start + maxCollectionSize);
    const records = chunk.map((item) => ({ attributes: { type: object }, ...item.body, [externalIdField]: item.sourceId }));
    const results = await client.json(
      { method: "PATCH", path: `/composite/sobjects/${object}/${externalIdField}`, json: { allOrNone: false, records } },
      resultSchema,
      ctx,
    );
    if (results.length !== chunk.length) {
      throw new SyncError({ errorClass: "unknown", message: `Salesforce answered ${results.length} results for ${chunk.length} records` });
    }
    results.forEach((result, i) => {
      const sourceId = chunk[i]!.sourceId;
      outcomes.push(
        result.success
          ? { sourceId, ok: true, crmId: result.id, created: result.created ?? false }
          : { sourceId, ok: false, error: recordError(result.errors) },
      );
    });
  }
  return items.map((item, i) => ({ ...outcomes[positionOf[i]!]!, sourceId: item.sourceId }));
}
