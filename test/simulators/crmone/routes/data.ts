import express, { type Request, type Router } from "express";
import { z } from "zod";
import { ApiError } from "../errors";
import { compareBy, matches, parseListQuery, parseRecordQuery } from "../query";
import type { CrmOneStore, FieldValue, StoredRecord } from "../store";

const createBody = z.object({ data: z.record(z.string(), z.unknown()) });
const updateBody = z.object({ data: z.record(z.string(), z.unknown()), create: z.boolean().optional() });

function body<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) throw new ApiError(400, "Request body must be an object with a data object", "invalid_request");
  return parsed.data;
}

/**
 * `/data/{Model}`: list (`{records, total_results}`), create (`{"data"}` →
 * `{"id"}`); `/data/{Model}/{id}`: get (`{record}`), update (PATCH
 * `{"data", "create"?}` → `{"result": true}`, `create: true` creates a record
 * with that ID when there is none), delete (`{"result": true}`).
 */
export function dataRoutes(store: CrmOneStore): Router {
  const r = express.Router();
  const model = (req: Request) => req.params.model as string;

  /** The record as an answer: stored and display values, all of them or the ones asked for (ID always). */
  const render = (name: string, record: StoredRecord, fields: string[] | undefined): Record<string, FieldValue> => {
    const full = { ...record, ...store.display(name, record) };
    if (!fields) return full;
    return Object.fromEntries(["id", ...fields].filter((f) => full[f] !== undefined).map((f) => [f, full[f]!]));
  };

  r.get("/data/:model", (req, res) => {
    const name = model(req);
    const spec = store.model(name);
    const query = parseListQuery(req.originalUrl, spec, name);
    const found = [...store.table(name).values()].filter((record) => matches(record, query, (rec) => store.display(name, rec))).sort(compareBy(query.order));
    const page = found.slice(query.offset, query.offset + query.limit);
    res.json({ records: page.map((record) => render(name, record, query.fields ?? spec.listFields)), total_results: found.length });
  });

  r.post("/data/:model", (req, res) => {
    const record = store.create(model(req), body(createBody, req).data, { actor: res.locals.userId as string });
    res.json({ id: record.id });
  });

  r.get("/data/:model/:id", (req, res) => {
    const name = model(req);
    const fields = parseRecordQuery(req.originalUrl, store.model(name), name);
    res.json({ record: render(name, store.get(name, req.params.id as string), fields) });
  });

  r.patch("/data/:model/:id", (req, res) => {
    const name = model(req);
    const id = req.params.id as string;
    const { data, create } = body(updateBody, req);
    const actor = res.locals.userId as string;
    if (create && !store.table(name).has(id)) store.create(name, data, { id, actor });
    else store.update(name, id, data, actor);
    res.json({ result: true });
  });

  r.delete("/data/:model/:id", (req, res) => {
    store.delete(model(req), req.params.id as string);
    res.json({ result: true });
  });

  return r;
}
