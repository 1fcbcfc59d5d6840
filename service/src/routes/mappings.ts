import { Router } from "express";
import type { BusinessUnit, Customer, Order } from "@commercetools/platform-sdk";
import { serviceApi } from "@ct-crm-sync/core/api/contract";
import { companyFromBusinessUnit, orderActivityFromOrder, personFromCustomer } from "@ct-crm-sync/core/domain/commerce-mapping";
import { type MappedEntity, type MappingConfig, type MappingTarget, validateMappingConfig } from "@ct-crm-sync/core/domain/mapping-config";
import type { CanonicalRecord } from "@ct-crm-sync/core/domain/model";
import { HttpError } from "@ct-crm-sync/core/http/base-app";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { prepareRecord } from "@ct-crm-sync/core/sync/sync-model";
import { actorOf } from "./actor";
import { serve } from "./serve";

const typeIds = { person: "customer", company: "business-unit", order: "order" } as const;

/** Mapping configuration: read, validate, preview on real records, save a version, roll back (docs/service-api.md). */
export function mappingRoutes(runtime: Runtime): Router {
  const router = Router();
  const api = serviceApi.mappings;
  const { connector } = runtime;
  // Documents are checked for this connection's CRM: its name, and what its field names look like.
  const target: MappingTarget = { crm: connector.name, targetRule: connector.targetRule };

  /** Refuses a document that does not fit the connection's CRM with the first issue's path, as every 400 of the API does. */
  const validOrThrow = (input: unknown, where: string): MappingConfig => {
    const result = validateMappingConfig(input, target);
    if (result.valid) return result.config;
    const issue = result.issues[0]!;
    throw new HttpError(400, `${[where, ...issue.path].join(".")}: ${issue.message}`);
  };

  serve(router, api.get, async () => ({
    crm: { name: connector.name, label: connector.label, targetRule: connector.targetRule },
    ...(await runtime.mappings.current()),
  }));

  serve(router, api.validate, ({ body }) => {
    const result = validateMappingConfig(body, target);
    return { valid: result.valid, issues: result.issues };
  });

  serve(router, api.preview, async ({ body }) => {
    const config = validOrThrow(body.mapping, "body.mapping");
    const samples = [];
    for (const resource of await sampleResources(runtime, body.entity, body.sampleIds)) {
      const record = await canonical(runtime, body.entity, resource);
      const link = (await runtime.links.get(body.entity, record.sourceId))?.value;
      const prepared = prepareRecord(config, runtime.connection, body.entity, record, link);
      const fields =
        prepared.kind === "ready"
          ? connector.previewFields(prepared.record)
          : prepared.kind === "skip"
            ? { "(skipped)": prepared.reason }
            : { "(not sent)": prepared.error.message, ...prepared.error.fields };
      samples.push({ sourceId: record.sourceId, fields });
    }
    return { samples };
  });

  serve(router, api.save, async ({ body }, req) => {
    const by = actorOf(req);
    const version = await runtime.mappings.save(validOrThrow(body, "body"), by.userId, by.name);
    runtime.logger.info("mapping configuration saved", { version, connection: runtime.connection });
    return { version };
  });

  serve(router, api.version, async ({ params }) => {
    const config = await runtime.mappings.version(params.version);
    if (!config) throw new HttpError(404, `no mapping version ${params.version}`);
    return { version: params.version, config };
  });

  serve(router, api.rollback, async ({ body }, req) => {
    const by = actorOf(req);
    const saved = await runtime.mappings.rollback(body.version, by.userId, by.name);
    if (saved === undefined) throw new HttpError(404, `no mapping version ${body.version}`);
    runtime.logger.info("mapping configuration rolled back", { from: body.version, version: saved, connection: runtime.connection });
    return { version: saved };
  });
  return router;
}

type Resource = Customer | BusinessUnit | Order;

async function sampleResources(runtime: Runtime, entity: MappedEntity, ids: string[] | undefined): Promise<Resource[]> {
  if (ids && ids.length > 0) {
    const found = await Promise.all(ids.map((id) => runtime.commerce.get(typeIds[entity], id)));
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
    const parent = unit.unitType === "Division" && unit.parentUnit ? await runtime.commerce.businessUnitByKey(unit.parentUnit.key) : undefined;
    return companyFromBusinessUnit(unit, parent?.id);
  }
  const order = resource as Order;
  return orderActivityFromOrder(order, { personSourceId: order.customerId });
}
