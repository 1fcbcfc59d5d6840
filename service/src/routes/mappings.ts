import { Router } from "express";
import { z } from "zod";
import type { BusinessUnit, Customer, Order } from "@commercetools/platform-sdk";
import { companyFromBusinessUnit, orderActivityFromOrder, personFromCustomer } from "@ct-crm-sync/core/domain/commerce-mapping";
import { mappedEntities, type MappedEntity, type MappingConfig, validateMappingConfig } from "@ct-crm-sync/core/domain/mapping-config";
import type { CanonicalRecord } from "@ct-crm-sync/core/domain/model";
import { HttpError } from "@ct-crm-sync/core/http/base-app";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { prepareRecord } from "@ct-crm-sync/core/sync/sync-model";
import { accountBody, contactBody, orderBody } from "@ct-crm-sync/core/crm/salesforce/mapping";
import { requirePermission, type SessionRequest } from "../middleware/session";
import { parseOrThrow } from "./parse";

const previewSchema = z.object({
  mapping: z.unknown(),
  entity: z.enum(mappedEntities),
  sampleIds: z.array(z.string().min(1).max(100)).max(20).optional(),
});
const rollbackSchema = z.object({ version: z.number().int().min(0) }).strict();

const typeIds = { person: "customer", company: "business-unit", order: "order" } as const;

/** Refuses an invalid configuration with the first issue's path, as every 400 of the API does. */
function validOrThrow(input: unknown): MappingConfig {
  const result = validateMappingConfig(input);
  if (result.valid) return result.config;
  const issue = result.issues[0]!;
  throw new HttpError(400, `${issue.path.join(".") || "(root)"}: ${issue.message}`);
}

/** Mapping configuration: read, validate, preview on real records, save a version, roll back (docs/service-api.md). */
export function mappingRoutes(runtime: Runtime): Router {
  const router = Router();
  const savedBy = (req: unknown) => (req as SessionRequest).session?.userId;

  router.get("/", requirePermission("View"), async (_req, res) => {
    res.json(await runtime.mappings.current());
  });

  router.post("/validate", requirePermission("View"), (req, res) => {
    const result = validateMappingConfig(req.body);
    res.json({ valid: result.valid, issues: result.issues });
  });

  router.post("/preview", requirePermission("View"), async (req, res) => {
    const body = parseOrThrow(previewSchema, req.body, "body");
    const config = validOrThrow(body.mapping);
    const resources = await samples(runtime, body.entity, body.sampleIds);
    const out = [];
    for (const resource of resources) {
      const record = await canonical(runtime, body.entity, resource);
      const link = (await runtime.links.get(body.entity, record.sourceId))?.value;
      const prepared = prepareRecord(config, runtime.connection, body.entity, record, link);
      const fields =
        prepared.kind === "ready"
          ? crmFields(runtime.crm.name, prepared.record)
          : prepared.kind === "skip"
            ? { "(skipped)": prepared.reason }
            : { "(not sent)": prepared.error.message, ...prepared.error.fields };
      out.push({ sourceId: record.sourceId, fields });
    }
    res.json({ samples: out });
  });

  router.put("/", requirePermission("Manage"), async (req, res) => {
    const config = validOrThrow(req.body);
    if (config.crm !== runtime.crm.name) throw new HttpError(400, `crm: this connection syncs to ${runtime.crm.name}, not ${config.crm}`);
    const version = await runtime.mappings.save(config, savedBy(req));
    runtime.logger.info("mapping configuration saved", { version, connection: runtime.connection });
    res.json({ version });
  });

  router.post("/rollback", requirePermission("Manage"), async (req, res) => {
    const { version } = parseOrThrow(rollbackSchema, req.body, "body");
    const saved = await runtime.mappings.rollback(version, savedBy(req));
    if (saved === undefined) throw new HttpError(404, `no mapping version ${version}`);
    runtime.logger.info("mapping configuration rolled back", { from: version, version: saved, connection: runtime.connection });
    res.json({ version: saved });
  });
  return router;
}

type Resource = Customer | BusinessUnit | Order;

async function samples(runtime: Runtime, entity: MappedEntity, ids: string[] | undefined): Promise<Resource[]> {
  if (ids && ids.length > 0) {
    const found = await Promise.all(ids.map((id) => runtime.sync.deps.commerce.get(typeIds[entity], id)));
    return found.filter((r): r is NonNullable<typeof r> => Boolean(r));
  }
  const queryArgs = { limit: 5, sort: "lastModifiedAt desc" };
  const api = runtime.api;
  const page =
    entity === "person"
      ? await api.customers().get({ queryArgs }).execute()
      : entity === "company"
        ? await api.businessUnits().get({ queryArgs }).execute()
        : await api.orders().get({ queryArgs }).execute();
  return page.body.results as Resource[];
}

async function canonical(runtime: Runtime, entity: MappedEntity, resource: Resource): Promise<CanonicalRecord> {
  if (entity === "person") return personFromCustomer(resource as Customer);
  if (entity === "company") {
    const unit = resource as BusinessUnit;
    const parent = unit.unitType === "Division" && unit.parentUnit ? await runtime.sync.deps.commerce.businessUnitByKey(unit.parentUnit.key) : undefined;
    return companyFromBusinessUnit(unit, parent?.id);
  }
  const order = resource as Order;
  return orderActivityFromOrder(order, { personSourceId: order.customerId });
}

/** What the CRM would receive: the Salesforce body (its mapping is pure), else the configured fields. */
function crmFields(crm: string, record: CanonicalRecord): Record<string, unknown> {
  if (crm === "salesforce") {
    return record.kind === "person" ? contactBody(record) : record.kind === "company" ? accountBody(record) : orderBody(record);
  }
  return { ...(record.extra ?? {}) };
}
