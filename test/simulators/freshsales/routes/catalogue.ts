import express, { type Router } from "express";
import { invalid, notFound } from "../errors";
import { render } from "../render";
import { modules, singularOf, type FreshsalesStore, type ModuleName } from "../store";

const moduleOfEntity = new Map(modules.map((m) => [singularOf[m] as string, m]));
/** Records a filtered search page answers at most. */
const maxSearchPage = 100;

/**
 * What is not a record write: the lookup and filtered searches, field
 * settings, deal stages and CPQ products.
 */
export function catalogueRoutes(store: FreshsalesStore): Router {
  const r = express.Router({ strict: true });

  // Exact match on one field (custom fields by their cf_ name), answered per entity; records not indexed yet are not found.
  r.get("/lookup", (req, res) => {
    const { q, f, entities } = req.query;
    if (typeof q !== "string" || q === "" || typeof f !== "string" || f === "" || typeof entities !== "string") throw invalid("q, f and entities are required");
    const wanted = entities.split(",").map((e) => moduleOfEntity.get(e.trim()));
    if (wanted.some((m) => m === undefined)) throw invalid("entities must be contact, sales_account or deal");
    const answer: Record<string, unknown> = {};
    for (const module of wanted as ModuleName[]) {
      const found = store.find(module, f, q, { searchable: true }).map((record) => render(store, module, record));
      answer[module] = { [module]: found };
    }
    res.json(answer);
  });

  // Every rule must hold (`is`: equal, `is_in`: one of a list, without case); answered like a list view's page, oldest first.
  r.post("/filtered_search/:entity", (req, res) => {
    const module = moduleOfEntity.get(String(req.params.entity));
    if (!module) throw notFound("Entity");
    const rules = (req.body as { filter_rule?: unknown } | undefined)?.filter_rule;
    if (!Array.isArray(rules) || rules.length === 0) throw invalid("filter_rule must be a non-empty list");
    const matchers = rules.map((rule: { attribute?: unknown; operator?: unknown; value?: unknown }) => {
      if (typeof rule.attribute !== "string" || rule.attribute === "") throw invalid("attribute is required");
      if (rule.operator === "is" && (typeof rule.value === "string" || typeof rule.value === "number")) return { field: rule.attribute, values: [rule.value] };
      if (rule.operator === "is_in" && Array.isArray(rule.value) && rule.value.every((v) => typeof v === "string" || typeof v === "number")) return { field: rule.attribute, values: rule.value as (string | number)[] };
      throw invalid("operator must be is (one value) or is_in (a list of values)");
    });
    const [first, ...others] = matchers.map(({ field, values }) => new Set(values.flatMap((v) => store.find(module, field, v, { searchable: true }).map((r) => r.id))));
    const ids = [...first!].filter((id) => others.every((set) => set.has(id))).sort((a, b) => a - b);
    const page = Number(req.query.page ?? 1);
    const perPage = Math.min(maxSearchPage, Number(req.query.per_page ?? 25));
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1) throw invalid("page and per_page must be positive integers");
    const items = ids.slice((page - 1) * perPage, page * perPage).map((id) => render(store, module, store.get(module, id)!));
    res.json({ [module]: items, meta: { total: ids.length, total_pages: Math.max(1, Math.ceil(ids.length / perPage)) } });
  });

  r.get("/settings/:module/fields", (req, res) => {
    const module = modules.find((m) => m === req.params.module);
    if (!module) throw notFound("Module");
    res.json({ fields: store.fieldsOf(module).map((f, i) => ({ id: i + 1, name: f.name, label: f.label, type: f.type, custom: f.custom })) });
  });

  r.get("/selector/deal_stages", (_req, res) => {
    res.json({ deal_stages: store.stages });
  });

  r.post("/cpq/products", (req, res) => {
    const body = (req.body as { product?: Record<string, unknown> } | undefined)?.product ?? {};
    if (typeof body.name !== "string" || body.name === "") throw invalid("Name can't be blank");
    const at = store.now();
    const product = {
      id: store.newId(),
      name: body.name,
      sku_number: typeof body.sku_number === "string" ? body.sku_number : "",
      unit_price: typeof body.unit_price === "number" ? body.unit_price : 0,
      created_at: at,
      updated_at: at,
    };
    store.products.set(product.id, product);
    res.status(201).json({ product });
  });

  r.get("/cpq/products/:id", (req, res) => {
    const product = store.products.get(Number(req.params.id));
    if (!product) throw notFound("Product");
    res.json({ product });
  });

  return r;
}
