import express, { type Router } from "express";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { findField, findSObject } from "./schema";
import { notFound, sfError } from "./errors";
import { formatDateTime } from "./values";
import type { SalesforceStore, WriteResult } from "./store";
import { userId } from "./auth";

/**
 * Bulk API 2.0 ingest: create job → PUT CSV → PATCH UploadComplete → poll →
 * result CSVs. Processing starts `processingDelayMs` after UploadComplete so
 * clients really poll. Error codes for bad jobs are picked (unverified).
 */
export type BulkDeps = { store: SalesforceStore; apiVersion: string; processingDelayMs: number };

const createJobBody = z.object({
  object: z.string(),
  operation: z.enum(["insert", "update", "upsert", "delete", "hardDelete"]),
  externalIdFieldName: z.string().optional(),
  contentType: z.literal("CSV").optional(),
  lineEnding: z.enum(["LF", "CRLF"]).optional(),
  columnDelimiter: z.literal("COMMA").optional(),
});

const stateBody = z.object({ state: z.enum(["UploadComplete", "Aborted"]) });

type JobState = "Open" | "UploadComplete" | "InProgress" | "JobComplete" | "Failed" | "Aborted";

type Job = {
  id: string;
  object: string;
  operation: z.infer<typeof createJobBody>["operation"];
  externalIdFieldName?: string;
  lineEnding: "LF" | "CRLF";
  state: JobState;
  createdDate: string;
  systemModstamp: string;
  csv: string[];
  errorMessage?: string;
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
  successful: Record<string, string>[];
  failed: Record<string, string>[];
  unprocessed: Record<string, string>[];
  columns: string[];
};

const invalidJobState = (job: Job) => sfError(409, "INVALIDJOBSTATE", `Job ${job.id} is in state ${job.state}`);

/** Turns `Account.CT_Business_Unit_Id__c` columns into the relationship object the store understands. */
function rowToBody(row: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const dot = column.indexOf(".");
    if (dot < 0) body[column] = value;
    else if (value !== "") body[column.slice(0, dot)] = { [column.slice(dot + 1)]: value };
  }
  return body;
}

export function bulkRouter(deps: BulkDeps): Router {
  const { store } = deps;
  const jobs = new Map<string, Job>();
  let counter = 0;
  const router = express.Router();

  const info = (job: Job) => ({
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: userId,
    createdDate: job.createdDate,
    systemModstamp: job.systemModstamp,
    state: job.state,
    ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
    concurrencyMode: "Parallel",
    contentType: "CSV",
    apiVersion: Number(deps.apiVersion),
    jobType: "V2Ingest",
    contentUrl: `services/data/v${deps.apiVersion}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: "COMMA",
    numberRecordsProcessed: job.numberRecordsProcessed,
    numberRecordsFailed: job.numberRecordsFailed,
    retries: 0,
    totalProcessingTime: 0,
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
  });

  const jobOr404 = (id: string) => {
    const job = jobs.get(id);
    if (!job) throw notFound();
    return job;
  };

  const touch = (job: Job, state: JobState) => {
    job.state = state;
    job.systemModstamp = formatDateTime(new Date());
  };

  const process = (job: Job) => {
    if (job.state !== "UploadComplete") return;
    touch(job, "InProgress");
    const object = findSObject(job.object)!;
    let rows: Record<string, string>[] = [];
    try {
      rows = job.csv.flatMap((text) => parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[]);
    } catch (e) {
      job.errorMessage = `InvalidBatch : ${(e as Error).message}`;
      return touch(job, "Failed");
    }
    job.columns = rows[0] ? Object.keys(rows[0]) : [];
    const unknown = job.columns.find((c) => {
      const head = c.split(".")[0]!;
      return !findField(object, head) && !object.fields.some((f) => f.relationshipName?.toLowerCase() === head.toLowerCase());
    });
    if (unknown) {
      job.errorMessage = `InvalidBatch : Field name not found : ${unknown}`;
      job.unprocessed = rows;
      return touch(job, "Failed");
    }
    for (const row of rows) {
      const body = rowToBody(row);
      let result: WriteResult;
      const idColumn = Object.keys(body).find((k) => k.toLowerCase() === "id");
      const id = idColumn ? String(body[idColumn]) : "";
      if (idColumn) delete body[idColumn];
      switch (job.operation) {
        case "insert":
          result = store.create(object.name, body, "csv");
          break;
        case "update":
          result = store.update(object.name, id, body, "csv");
          break;
        case "upsert": {
          const key = Object.keys(body).find((k) => k.toLowerCase() === job.externalIdFieldName!.toLowerCase());
          const value = key ? String(body[key]) : "";
          result = value
            ? store.upsert(object.name, job.externalIdFieldName!, value, body, "csv")
            : { ok: false, status: 400, errors: [{ errorCode: "MISSING_ARGUMENT", message: `${job.externalIdFieldName} not specified`, fields: [job.externalIdFieldName!] }] };
          break;
        }
        default:
          result = store.delete(object.name, id)
            ? { ok: true, id, created: false }
            : { ok: false, status: 404, errors: [{ errorCode: "ENTITY_IS_DELETED", message: "entity is deleted", fields: [] }] };
      }
      job.numberRecordsProcessed++;
      if (result.ok) {
        job.successful.push({ sf__Id: result.id, sf__Created: String(result.created), ...row });
      } else {
        job.numberRecordsFailed++;
        // Salesforce's format: CODE:message:field1,field2 --
        const error = result.errors.map((e) => `${e.errorCode}:${e.message}:${(e.fields ?? []).join(",")} --`).join(" ");
        job.failed.push({ sf__Id: "", sf__Error: error, ...row });
      }
    }
    touch(job, "JobComplete");
  };

  router.post("/jobs/ingest", express.json(), (req, res) => {
    const parsed = createJobBody.safeParse(req.body);
    if (!parsed.success) throw sfError(400, "INVALIDJOB", `Invalid job: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`);
    const object = findSObject(parsed.data.object);
    if (!object) throw sfError(400, "INVALIDENTITY", `Entity '${parsed.data.object}' is not supported by the Bulk API.`);
    if (parsed.data.operation === "upsert") {
      const ext = parsed.data.externalIdFieldName ? findField(object, parsed.data.externalIdFieldName) : undefined;
      if (!ext || !(ext.externalId || ext.type === "id")) {
        throw sfError(400, "INVALIDJOB", `External ID was blank or not an external ID field for ${object.name}: ${parsed.data.externalIdFieldName ?? ""}`);
      }
    }
    counter++;
    const stamp = formatDateTime(new Date());
    const job: Job = {
      id: `7505g00000SIM${String(counter).padStart(2, "0")}`.padEnd(18, "A").slice(0, 18),
      object: object.name,
      operation: parsed.data.operation,
      ...(parsed.data.externalIdFieldName ? { externalIdFieldName: parsed.data.externalIdFieldName } : {}),
      lineEnding: parsed.data.lineEnding ?? "LF",
      state: "Open",
      createdDate: stamp,
      systemModstamp: stamp,
      csv: [],
      numberRecordsProcessed: 0,
      numberRecordsFailed: 0,
      successful: [],
      failed: [],
      unprocessed: [],
      columns: [],
    };
    jobs.set(job.id, job);
    res.status(200).json(info(job));
  });

  router.get("/jobs/ingest", (_req, res) => {
    res.json({ done: true, records: [...jobs.values()].map(info), nextRecordsUrl: null });
  });

  router.put("/jobs/ingest/:id/batches", express.text({ type: "text/csv", limit: "150mb" }), (req, res) => {
    const job = jobOr404(req.params.id);
    if (job.state !== "Open") throw invalidJobState(job);
    if (typeof req.body !== "string") throw sfError(400, "INVALIDBATCH", "Content-Type must be text/csv");
    job.csv.push(req.body);
    res.status(201).end();
  });

  router.patch("/jobs/ingest/:id", express.json(), (req, res) => {
    const job = jobOr404(req.params.id);
    const parsed = stateBody.safeParse(req.body);
    if (!parsed.success) throw sfError(400, "INVALIDJOBSTATE", "state must be UploadComplete or Aborted");
    if (parsed.data.state === "UploadComplete") {
      if (job.state !== "Open") throw invalidJobState(job);
      touch(job, "UploadComplete");
      setTimeout(() => process(job), deps.processingDelayMs).unref();
    } else {
      if (["JobComplete", "Failed", "Aborted"].includes(job.state)) throw invalidJobState(job);
      touch(job, "Aborted");
    }
    res.json(info(job));
  });

  router.get("/jobs/ingest/:id", (req, res) => {
    res.json(info(jobOr404(req.params.id)));
  });

  router.delete("/jobs/ingest/:id", (req, res) => {
    const job = jobOr404(req.params.id);
    if (job.state === "Open" || job.state === "InProgress") throw invalidJobState(job);
    jobs.delete(job.id);
    res.status(204).end();
  });

  const csvAnswer = (prefix: string[], rows: Record<string, string>[], columns: string[]) =>
    stringify(rows, { header: true, columns: [...prefix, ...columns], quoted: true, record_delimiter: "unix" });

  const finished = (job: Job) => {
    if (job.state !== "JobComplete" && job.state !== "Failed" && job.state !== "Aborted") throw invalidJobState(job);
  };
  router.get("/jobs/ingest/:id/successfulResults", (req, res) => {
    const job = jobOr404(req.params.id);
    finished(job);
    res.type("text/csv").send(csvAnswer(["sf__Id", "sf__Created"], job.successful, job.columns));
  });
  router.get("/jobs/ingest/:id/failedResults", (req, res) => {
    const job = jobOr404(req.params.id);
    finished(job);
    res.type("text/csv").send(csvAnswer(["sf__Id", "sf__Error"], job.failed, job.columns));
  });
  router.get("/jobs/ingest/:id/unprocessedrecords", (req, res) => {
    const job = jobOr404(req.params.id);
    finished(job);
    res.type("text/csv").send(csvAnswer([], job.unprocessed, job.columns));
  });

  return router;
}
