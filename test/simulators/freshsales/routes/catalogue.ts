import express, { type Router } from "express";
import { invalid, notFound } from "../errors";
import { render } from "../render";
import { modules, singularOf, type FreshsalesStore, type ModuleName } from "../store";

const moduleOfEntity = new Map(modules.map((m) => [singularOf[m] as string, m]));

/**
 * What is not a record write: the lookup search, field settings, deal
 * stages and CPQ products.
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
