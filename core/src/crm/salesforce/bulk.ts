import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { Clock } from "../../ports/clock";
import type { CallContext, WriteOutcome } from "../../ports/crm-outbound";
import type { SalesforceClient } from "./client";
import { dedupe, type UpsertItem } from "./collections";
import { parseBulkError, recordError } from "./errors";
import type { SObjectBody } from "./mapping";

/** Above this many records a backfill should use Bulk API 2.0 instead of Collections (Salesforce's own guidance: ~2,000). */
export const bulkThreshold = 2_000;

export type BulkOptions = {
  pollIntervalMs: number;
  /** Give up waiting (the job keeps running in the org) after this long. */
  timeoutMs: number;
  /** Records per ingest job (one CSV upload each; Salesforce allows 150 MB a job). */
  maxRecordsPerJob: number;
};

export const defaultBulkOptions: BulkOptions = { pollIntervalMs: 2_000, timeoutMs: 10 * 60_000, maxRecordsPerJob: 100_000 };

const jobInfo = z.object({
  id: z.string(),
  state: z.enum(["Open", "UploadComplete", "InProgress", "JobComplete", "Failed", "Aborted"]),
  errorMessage: z.string().optional(),
  numberRecordsFailed: z.number().optional(),
});

const csvRows = (text: string) => parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];

/**
 * CSV for an upsert job: one column per field any record sets. Relationship
 * objects become `Account.CT_Business_Unit_Id__c` columns; an empty cell leaves
 * the org's value alone, `#N/A` clears it (Bulk API semantics).
 */
export function toCsv(externalIdField: string, items: UpsertItem[]): string {
  const rows = items.map((item) => flatten({ [externalIdField]: item.sourceId, ...item.body }));
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return stringify(rows, { header: true, columns, record_delimiter: "unix" });
}

function flatten(body: SObjectBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    if (value === null) out[key] = "#N/A";
    else if (typeof value === "object") {
      for (const [sub, v] of Object.entries(value as Record<string, unknown>)) out[`${key}.${sub}`] = String(v);
    } else out[key] = String(value);
  }
  return out;
}

/**
 * Upsert through a Bulk API 2.0 ingest job: create, upload CSV, UploadComplete,
 * poll, then read successful/failed/unprocessed results back into outcomes in
 * input order. Errors of the job calls throw; refused rows are failed outcomes;
 * rows the job never reached are "unknown" (transient) so they are tried again.
 */
export async function bulkUpsert(
  client: SalesforceClient,
  clock: Clock,
  object: string,
  externalIdField: string,
  items: UpsertItem[],
  ctx: CallContext,
  options: BulkOptions,
): Promise<WriteOutcome[]> {
  const { unique, positionOf } = dedupe(items);
  const outcomes: WriteOutcome[] = [];
  for (let start = 0; start < unique.length; start += options.maxRecordsPerJob) {
    outcomes.push(...(await runJob(client, clock, object, externalIdField, unique.slice(start, start + options.maxRecordsPerJob), ctx, options)));
  }
  return items.map((item, i) => ({ ...outcomes[positionOf[i]!]!, sourceId: item.sourceId }));
}

async function runJob(
  client: SalesforceClient,
  clock: Clock,
  object: string,
  externalIdField: string,
  items: UpsertItem[],
  ctx: CallContext,
  options: BulkOptions,
): Promise<WriteOutcome[]> {
  const created = await client.json(
    { method: "POST", path: "/jobs/ingest", json: { object, externalIdFieldName: externalIdField, contentType: "CSV", operation: "upsert", lineEnding: "LF" } },
    jobInfo,
    ctx,
  );
  const base = `/jobs/ingest/${created.id}`;
  await client.text({ method: "PUT", path: `${base}/batches`, csv: toCsv(externalIdField, items) }, ctx);
  await client.json({ method: "PATCH", path: base, json: { state: "UploadComplete" } }, jobInfo, ctx);

  const deadline = clock.now().getTime() + options.timeoutMs;
  let job = await client.json({ method: "GET", path: base }, jobInfo, ctx);
  while (job.state === "UploadComplete" || job.state === "InProgress") {
    if (clock.now().getTime() > deadline) {
      throw new SyncError({ errorClass: "crm_unavailable", message: `Bulk job ${job.id} still ${job.state} after ${options.timeoutMs} ms` });
    }
    await clock.sleep(options.pollIntervalMs, ctx.signal);
    job = await client.json({ method: "GET", path: base }, jobInfo, ctx);
  }

  // Only a failed or aborted job has unprocessed records, and failed rows only
  // when the job counted some; a row missing from every list is retried anyway.
  const none = Promise.resolve("");
  const [successful, failed, unprocessed] = await Promise.all([
    client.text({ method: "GET", path: `${base}/successfulResults/` }, ctx),
    job.numberRecordsFailed === 0 ? none : client.text({ method: "GET", path: `${base}/failedResults/` }, ctx),
    job.state === "JobComplete" ? none : client.text({ method: "GET", path: `${base}/unprocessedrecords/` }, ctx),
  ]);
  const byKey = new Map<string, WriteOutcome>();
  const keyOf = (row: Record<string, string>) => (row[externalIdField] ?? "").toLowerCase();
  for (const row of csvRows(successful)) {
    byKey.set(keyOf(row), { sourceId: row[externalIdField] ?? "", ok: true, crmId: row.sf__Id ?? "", created: row.sf__Created === "true" });
  }
  for (const row of csvRows(failed)) {
    byKey.set(keyOf(row), { sourceId: row[externalIdField] ?? "", ok: false, error: recordError(parseBulkError(row.sf__Error ?? "")) });
  }
  const notReached = (sourceId: string, why: string): WriteOutcome => ({
    sourceId,
    ok: false,
    error: { errorClass: "unknown", message: `Bulk job ${job.id} did not process this record (${why})` },
  });
  for (const row of csvRows(unprocessed)) byKey.set(keyOf(row), notReached(row[externalIdField] ?? "", `job ${job.state}`));
  const why = `job ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ""}`;
  return items.map((item) => byKey.get(item.sourceId.toLowerCase()) ?? notReached(item.sourceId, why));
}
