import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { Clock } from "../../ports/clock";
import type { CallContext, WriteOutcome } from "../../ports/crm-outbound";
import type { SalesforceApi } from "./api";
import { inChunks, type UpsertItem } from "./collections";
import { parseBulkError, recordError } from "./errors";
import type { SObjectBody } from "./mapping";

/** Above this many records a backfill should use Bulk API 2.0 instead of Collections (Salesforce's own guidance: ~2,000). */
export const bulkThreshold = 2_000;

const pollIntervalMs = 2_000;
/** Waiting stops after this long (the job keeps running in the org). */
const jobTimeoutMs = 10 * 60_000;
/** One CSV upload each; Salesforce allows 150 MB a job. */
const maxRecordsPerJob = 100_000;

const jobStates = z.enum(["Open", "UploadComplete", "InProgress", "JobComplete", "Failed", "Aborted"]);
const jobInfo = z.object({ id: z.string(), state: jobStates, errorMessage: z.string().optional(), numberRecordsFailed: z.number().optional() });

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

/** Where one bulk upsert writes, and how it waits for the org. */
export type BulkTarget = { api: SalesforceApi; clock: Clock; object: string; externalIdField: string };

/**
 * Upsert through a Bulk API 2.0 ingest job: create, upload CSV, UploadComplete,
 * poll, then read successful/failed/unprocessed results back into outcomes in
 * input order. Errors of the job calls throw; refused rows are failed outcomes;
 * rows the job never reached are "unknown" (transient) so they are tried again.
 */
export function bulkUpsert(target: BulkTarget, items: UpsertItem[], ctx: CallContext): Promise<WriteOutcome[]> {
  return inChunks(items, maxRecordsPerJob, (chunk) => runJob(target, chunk, ctx));
}

async function runJob({ api, clock, object, externalIdField }: BulkTarget, items: UpsertItem[], ctx: CallContext): Promise<WriteOutcome[]> {
  const base = `${api.data}/jobs/ingest`;
  const json = { object, externalIdFieldName: externalIdField, contentType: "CSV", operation: "upsert", lineEnding: "LF" };
  const created = await api.http.json(ctx, { method: "POST", path: base, json }, jobInfo);
  const path = `${base}/${created.id}`;
  await api.http.send(ctx, { method: "PUT", path: `${path}/batches`, body: toCsv(externalIdField, items), contentType: "text/csv" });
  await api.http.json(ctx, { method: "PATCH", path, json: { state: "UploadComplete" } }, jobInfo);

  const deadline = clock.now().getTime() + jobTimeoutMs;
  let job = await api.http.json(ctx, { method: "GET", path }, jobInfo);
  while (job.state === "UploadComplete" || job.state === "InProgress") {
    if (clock.now().getTime() > deadline) {
      throw new SyncError({ errorClass: "crm_unavailable", message: `Bulk job ${job.id} still ${job.state} after ${jobTimeoutMs} ms` });
    }
    await clock.sleep(pollIntervalMs, ctx.signal);
    job = await api.http.json(ctx, { method: "GET", path }, jobInfo);
  }

  // Only a failed or aborted job has unprocessed records, and failed rows only
  // when the job counted some; a row missing from every list is retried anyway.
  const none = Promise.resolve("");
  const results = (kind: string) => api.http.text(ctx, { method: "GET", path: `${path}/${kind}/` });
  const [successful, failed, unprocessed] = await Promise.all([
    results("successfulResults"),
    job.numberRecordsFailed === 0 ? none : results("failedResults"),
    job.state === "JobComplete" ? none : results("unprocessedrecords"),
  ]);
  const byKey = new Map<string, WriteOutcome>();
  const keyOf = (row: Record<string, string>) => (row[externalIdField] ?? "").toLowerCase();
  for (const row of csvRows(successful)) {
    byKey.set(keyOf(row), { sourceId: row[externalIdField] ?? "", ok: true, crmId: row.sf__Id ?? "", created: row.sf__Created === "true" });
  }
  for (const row of csvRows(failed)) {
    byKey.set(keyOf(row), { sourceId: row[externalIdField] ?? "", ok: false, error: recordError(parseBulkError(row.sf__Error ?? "")) });
  }
  const notReached = (sourceId: string, why: string): WriteOutcome => ({ sourceId, ok: false, error: { errorClass: "unknown", message: `Bulk job ${job.id} did not process this record (${why})` } });
  for (const row of csvRows(unprocessed)) byKey.set(keyOf(row), notReached(row[externalIdField] ?? "", `job ${job.state}`));
  const why = `job ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ""}`;
  return items.map((item) => byKey.get(item.sourceId.toLowerCase()) ?? notReached(item.sourceId, why));
}
