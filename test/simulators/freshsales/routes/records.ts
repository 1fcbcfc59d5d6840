import express, { type Request, type Router } from "express";
import { ApiError, invalid, notFound } from "../errors";
import { render } from "../render";
import { modules, singularOf, type FreshsalesStore, type ModuleName } from "../store";
import { upsert, type BulkJobs, type Changed } from "../upsert";

export type RecordRouteDeps = { store: FreshsalesStore; jobs: BulkJobs; changed: Changed; gapMs(): number; userOf(req: Request): number };

/** The one view per module ("All Contacts", …); admins' own views are not simulated. */
export const viewIds: Record<ModuleName, number> = { contacts: 401, sales_accounts: 402, deals: 403 };
const viewNames: Record<ModuleName, string> = { contacts: "All Contacts", sales_accounts: "All Accounts", deals: "All Deals" };
const modelClass: Record<ModuleName, string> = { contacts: "Contact", sales_accounts: "SalesAccount", deals: "Deal" };
/** Records a bulk_upsert request may carry. */
export const maxBulkRecords = 100;
const maxPerPage = 100;

const idOf = (req: Request) => {
  const id = Number(req.params.id);
  if (!Number.isInteger(id)) throw notFound("Record");
  return id;
};
const includes = (req: Request) => (typeof req.query.include === "string" ? req.query.include.split(",") : []);
const bodyOf = (req: Request): Record<string, unknown> => {
  if (typeof req.body !== "object" || req.body === null || Array.isArray(req.body)) throw invalid("Request body must be a JSON object");
  return req.body as Record<string, unknown>;
};

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalid(`${name} must be a positive integer`);
  return n;
}

/** Create, read, update, delete, upsert, bulk upsert and the list view of contacts, sales accounts and deals. */
export function recordRoutes(deps: RecordRouteDeps): Router {
  const r = express.Router({ strict: true });
  const { store } = deps;

  for (const module of modules) {
    const one = singularOf[module];
    const base = `/${module}`;
    const answer = (id: number, include: string[] = []) => ({ [one]: render(store, module, store.require(module, id), include) });

    r.get(`${base}/filters`, (_req, res) => {
      res.json({ filters: [{ id: viewIds[module], name: viewNames[module], model_class_name: modelClass[module], is_default: true }] });
    });

    r.get(`${base}/view/:viewId`, (req, res) => {
      if (Number(req.params.viewId) !== viewIds[module]) throw notFound("View");
      const page = positiveInt(req.query.page, 1, "page");
      const perPage = Math.min(maxPerPage, positiveInt(req.query.per_page, 25, "per_page"));
      const sort = req.query.sort ?? "created_at";
      if (sort !== "created_at" && sort !== "updated_at") throw invalid("sort must be created_at or updated_at");
      const direction = req.query.sort_type === "asc" ? 1 : -1;
      const all = [...store.records[module].values()].sort((a, b) => direction * (a[sort].localeCompare(b[sort]) || a.id - b.id));
      const items = all.slice((page - 1) * perPage, page * perPage).map((record) => render(store, module, record));
      res.json({ [module]: items, meta: { total: all.length, total_pages: Math.max(1, Math.ceil(all.length / perPage)) } });
    });

    r.post(`${base}/upsert`, async (req, res) => {
      const body = bodyOf(req);
      const { record, created } = await upsert(store, module, body.unique_identifier, body[one], { gapMs: deps.gapMs(), changed: deps.changed, userId: deps.userOf(req) });
      res.status(created ? 201 : 200).json(answer(record.id));
    });

    r.post(`${base}/bulk_upsert`, (req, res) => {
      const items = bodyOf(req)[module];
      if (!Array.isArray(items) || items.length === 0) throw invalid(`${module} must be a non-empty list`);
      if (items.length > maxBulkRecords) throw invalid(`At most ${maxBulkRecords} records can be upserted in one request`);
      const job = deps.jobs.submit(store, module, items as { unique_identifier: unknown; data: unknown }[], deps.changed, deps.userOf(req));
      res.status(202).json({ job_id: job.id });
    });

    r.post(base, (req, res) => {
      const record = store.write(module, undefined, (bodyOf(req)[one] ?? {}) as Record<string, unknown>, deps.userOf(req));
      deps.changed(module, record, "created");
      res.status(201).json(answer(record.id));
    });

    // Included notes come beside the record, not inside it.
    r.get(`${base}/:id`, (req, res) => {
      const id = idOf(req);
      res.json({ ...answer(id, includes(req)), ...(includes(req).includes("notes") ? { notes: store.notesOn(module, id) } : {}) });
    });

    r.put(`${base}/:id`, (req, res) => {
      const record = store.write(module, store.require(module, idOf(req)), (bodyOf(req)[one] ?? {}) as Record<string, unknown>, deps.userOf(req));
      deps.changed(module, record, "updated");
      res.json(answer(record.id));
    });

    r.delete(`${base}/:id`, (req, res) => {
      store.remove(module, idOf(req));
      res.status(204).end();
    });
  }

  r.get("/job_statuses/:id", (req, res) => {
    const job = deps.jobs.jobs.get(String(req.params.id));
    if (!job) throw new ApiError(404, ["Job not found"]);
    res.json({ job_status: { ...job, results: job.status === "completed" ? job.results : [] } });
  });

  return r;
}
