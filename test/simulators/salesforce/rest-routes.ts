import express, { type Request, type Response, type Router } from "express";
import { z } from "zod";
import { describe, findField, findSObject, sobjects } from "./schema";
import { notFound, sendErrors, sfError, type SfError } from "./errors";
import { parseSoql, runQuery } from "./soql";
import type { SalesforceStore, WriteRequest, WriteResult } from "./store";
import type { ApiUsage } from "./limits";

export type RestDeps = {
  store: SalesforceStore;
  usage: ApiUsage;
  /** `/services/data/v62.0` */
  apiPath: string;
  /** Records per query page when the client asks nothing (Salesforce: 2000). */
  queryPageSize: number;
};

/** Collections answer per-record errors with `statusCode` instead of `errorCode`. */
type CollectionError = { statusCode: string; message: string; fields: string[] };
type CollectionResult = { id: string; success: true; errors: []; created: boolean } | { success: false; errors: CollectionError[] };

const collectionsBody = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

export const maxCollectionRecords = 200;

const objectOr404 = (name: string) => {
  const object = findSObject(name);
  if (!object) throw notFound();
  return object;
};

const asRecordBody = (body: unknown): Record<string, unknown> => {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw sfError(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from the request body: expected a JSON object");
  }
  return body as Record<string, unknown>;
};

const toCollectionErrors = (errors: SfError[]): CollectionError[] =>
  errors.map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] }));

/** The request a write belongs to, stamped on arrival (index.ts). */
const writeRequest = (res: Response): WriteRequest => res.locals.writeRequest as WriteRequest;

export function restRouter(deps: RestDeps): Router {
  const { store, apiPath } = deps;
  const router = express.Router();
  const recordUrl = (type: string, id: string) => `${apiPath}/sobjects/${type}/${id}`;
  const withAttributes = (type: string, row: Record<string, unknown> & { Id: string }) => ({
    attributes: { type, url: recordUrl(type, row.Id) },
    ...row,
  });
  const sendWrite = (res: Response, objectName: string, result: WriteResult, onOk: (r: { id: string; created: boolean }) => void) => {
    if (result.ok) return onOk(result);
    if (result.status === 300) {
      // Several records match: Salesforce lists their URLs.
      res.status(300).json((result.matches ?? []).map((id) => recordUrl(objectName, id)));
      return;
    }
    sendErrors(res, result.status, result.errors);
  };

  router.get("/limits", (_req, res) => {
    res.json({
      DailyApiRequests: { Max: deps.usage.max, Remaining: Math.max(0, deps.usage.max - deps.usage.used) },
      DailyBulkV2QueryJobs: { Max: 10_000, Remaining: 10_000 },
      DailyBulkApiBatches: { Max: 15_000, Remaining: 15_000 },
    });
  });

  router.get("/sobjects", (_req, res) => {
    res.json({
      encoding: "UTF-8",
      maxBatchSize: maxCollectionRecords,
      sobjects: sobjects.map((o) => ({ name: o.name, label: o.label, custom: o.custom, keyPrefix: o.keyPrefix, urls: describe(o, apiPath).urls })),
    });
  });

  router.get("/sobjects/:object/describe", (req, res) => {
    res.json(describe(objectOr404(req.params.object), apiPath));
  });

  router.get("/sobjects/:object", (req, res) => {
    const object = objectOr404(req.params.object);
    const d = describe(object, apiPath);
    res.json({ objectDescribe: { name: d.name, label: d.label, keyPrefix: d.keyPrefix, custom: d.custom, urls: d.urls }, recentItems: [] });
  });

  router.post("/sobjects/:object", (req, res) => {
    const object = objectOr404(req.params.object);
    sendWrite(res, object.name, store.create(object.name, asRecordBody(req.body)), (r) => {
      res.status(201).json({ id: r.id, success: true, errors: [] });
    });
  });

  const readRow = (req: Request, res: Response, row: (Record<string, unknown> & { Id: string }) | undefined, type: string) => {
    if (!row) throw notFound();
    const wanted = typeof req.query.fields === "string" ? req.query.fields.split(",").map((f) => f.trim()) : undefined;
    if (!wanted) return res.json(withAttributes(type, row));
    const object = findSObject(type)!;
    const out: Record<string, unknown> = { attributes: { type, url: recordUrl(type, row.Id) } };
    for (const name of wanted) {
      const field = findField(object, name);
      if (!field) throw sfError(400, "INVALID_FIELD", `No such column '${name}' on sobject of type ${type}`);
      out[field.name] = row[field.name] ?? null;
    }
    res.json(out);
  };

  router.get("/sobjects/:object/:id", (req, res) => {
    const object = objectOr404(req.params.object);
    readRow(req, res, store.get(object.name, req.params.id), object.name);
  });

  router.patch("/sobjects/:object/:id", (req, res) => {
    const object = objectOr404(req.params.object);
    sendWrite(res, object.name, store.update(object.name, req.params.id, asRecordBody(req.body)), () => res.status(204).end());
  });

  router.delete("/sobjects/:object/:id", (req, res) => {
    const object = objectOr404(req.params.object);
    if (!store.delete(object.name, req.params.id)) throw notFound();
    res.status(204).end();
  });

  router.get("/sobjects/:object/:field/:value", (req, res) => {
    const object = objectOr404(req.params.object);
    const field = findField(object, req.params.field);
    if (!field || !(field.externalId || field.type === "id")) throw notFound();
    const rows = store.findBy(object, field, req.params.value);
    if (rows.length > 1) {
      res.status(300).json(rows.map((r) => recordUrl(object.name, r.Id)));
      return;
    }
    readRow(req, res, rows[0], object.name);
  });

  router.patch("/sobjects/:object/:field/:value", (req, res) => {
    const object = objectOr404(req.params.object);
    const body = asRecordBody(req.body);
    if (req.query.updateOnly === "true") {
      const field = findField(object, req.params.field);
      if (field && (field.externalId || field.type === "id") && store.findBy(object, field, req.params.value).length === 0) throw notFound();
    }
    sendWrite(res, object.name, store.upsert(object.name, req.params.field, req.params.value, body, "json", writeRequest(res)), (r) => {
      res.status(r.created ? 201 : 200).json({ id: r.id, success: true, errors: [], created: r.created });
    });
  });

  router.patch("/composite/sobjects/:object/:field", (req, res) => {
    const object = objectOr404(req.params.object);
    const field = findField(object, req.params.field);
    if (!field || !(field.externalId || field.type === "id")) throw notFound();
    const parsed = collectionsBody.safeParse(req.body);
    if (!parsed.success) throw sfError(400, "JSON_PARSER_ERROR", `Malformed request: ${parsed.error.issues[0]?.message ?? "invalid body"}`);
    const { records, allOrNone = false } = parsed.data;
    if (records.length > maxCollectionRecords) {
      // Code and wording picked (unverified); the limit of 200 is documented.
      throw sfError(400, "EXCEEDED_ID_LIMIT", `Maximum number of records exceeded: ${maxCollectionRecords}`);
    }
    const keyOf = (r: Record<string, unknown>) => {
      const key = Object.keys(r).find((k) => k.toLowerCase() === field.name.toLowerCase());
      const v = key ? r[key] : undefined;
      return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
    };
    const seen = new Map<string, number>();
    for (const r of records) {
      const k = keyOf(r)?.toLowerCase();
      if (k !== undefined) seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    // Parents named by external ID are looked up before any record is written.
    const unresolved = records.map((r) => store.unresolvedReference(object.name, r));
    const request = writeRequest(res);
    const rollback = allOrNone ? store.snapshot() : undefined;
    const results: CollectionResult[] = records.map((r, index) => {
      const key = keyOf(r);
      const type = (r.attributes as { type?: unknown } | undefined)?.type;
      if (typeof type !== "string" || type.toLowerCase() !== object.name.toLowerCase()) {
        return { success: false, errors: [{ statusCode: "INVALID_TYPE", message: `Each record needs attributes.type ${object.name}`, fields: [] }] };
      }
      if (key === undefined || key === "") {
        return { success: false, errors: [{ statusCode: "MISSING_ARGUMENT", message: `${field.name} not specified`, fields: [field.name] }] };
      }
      if ((seen.get(key.toLowerCase()) ?? 0) > 1) {
        return { success: false, errors: [{ statusCode: "DUPLICATE_EXTERNAL_ID", message: `Duplicate external id specified: ${key}`, fields: [field.name] }] };
      }
      const missingParent = unresolved[index];
      if (missingParent) return { success: false, errors: toCollectionErrors([missingParent]) };
      const result = store.upsert(object.name, field.name, key, r, "json", request);
      return result.ok ? { id: result.id, success: true, errors: [], created: result.created } : { success: false, errors: toCollectionErrors(result.errors) };
    });
    if (rollback && results.some((r) => !r.success)) {
      rollback();
      res.json(
        results.map((r) =>
          r.success
            ? {
                success: false,
                errors: [
                  {
                    statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                    message: "Record rolled back because not all records were valid and the request was using AllOrNone header",
                    fields: [],
                  },
                ],
              }
            : r,
        ),
      );
      return;
    }
    res.json(results);
  });

  // --- SOQL, with server-side cursors for nextRecordsUrl ---
  const cursors = new Map<string, Record<string, unknown>[]>();
  let cursorCount = 0;
  const pageSizeFor = (req: Request) => {
    const asked = /batchSize=(\d+)/.exec(req.get("sforce-query-options") ?? "")?.[1];
    // Salesforce honours 200..2000 and treats it as a hint.
    return asked ? Math.min(2000, Math.max(200, Number(asked))) : deps.queryPageSize;
  };
  const page = (res: Response, kind: string, locator: string, all: Record<string, unknown>[], offset: number, size: number) => {
    const records = all.slice(offset, offset + size);
    const done = offset + size >= all.length;
    if (done) cursors.delete(locator);
    res.json({
      totalSize: all.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `${apiPath}/${kind}/${locator}-${offset + size}` }),
      records,
    });
  };
  for (const kind of ["query", "queryAll"] as const) {
    router.get(`/${kind}`, (req, res) => {
      const q = req.query.q;
      if (typeof q !== "string" || q.trim() === "") throw sfError(400, "MALFORMED_QUERY", "A query string has to be specified");
      const result = runQuery(store, parseSoql(q), kind === "queryAll", recordUrl);
      if (result.count) {
        res.json({ totalSize: result.totalSize, done: true, records: [] });
        return;
      }
      const locator = `01g5g00000SIM${String(++cursorCount).padStart(3, "0")}`;
      cursors.set(locator, result.records);
      page(res, kind, locator, result.records, 0, pageSizeFor(req));
    });
    router.get(`/${kind}/:cursor`, (req, res) => {
      const match = /^(.+)-(\d+)$/.exec(req.params.cursor);
      const all = match ? cursors.get(match[1]!) : undefined;
      if (!match || !all) throw sfError(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
      page(res, kind, match[1]!, all, Number(match[2]), pageSizeFor(req));
    });
  }

  return router;
}
