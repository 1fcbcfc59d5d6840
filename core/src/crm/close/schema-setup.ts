import type { CallContext } from "../../ports/crm-outbound";
import { converge, convergeAll, oldestFirst } from "../kit/converge";
import type { Transport } from "../kit/transport";
import { listAll, loadedOnce, send } from "./connection";
import { z } from "zod";
import { SyncError } from "../../domain/errors";
import {
  abandonedStatusLabel,
  contactFields,
  dealFields,
  leadFields,
  orderActivityTypeName,
  orderEventActivityTypeName,
  orderEventFields,
  orderFields,
  type CloseSchema,
  type FieldIds,
} from "./field-names";
import { customActivityTypeSchema, customFieldSchema, listSchema, opportunityStatusSchema, type CloseCustomField, type CloseOpportunityStatus } from "./schemas";
import { createdAt } from "./search";

type Definitions = Record<string, { name: string; type: string }>;
type Connection = { transport: Transport; ctx: CallContext };

/** A scope's custom fields (of one activity type, for activities) by name, oldest first: Close does not keep names unique. */
export async function customFieldsByName(c: Connection, scope: string, activityTypeId?: string): Promise<Map<string, CloseCustomField[]>> {
  const byName = new Map<string, CloseCustomField[]>();
  for (const f of oldestFirst(await listAll(c, `/custom_field/${scope}/`, customFieldSchema), createdAt)) {
    if (activityTypeId === undefined || f.custom_activity_type_id === activityTypeId) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  }
  return byName;
}

/**
 * The adapter's custom fields, and the order activity type, found by name
 * and created when missing. Close does not keep names unique, so after
 * creating, the names are looked up again and everyone adopts the oldest of
 * a name: concurrent first runs converge on one field. Duplicates are left in
 * place (a merchant's data may already sit in them).
 */
async function customFields<D extends Definitions>(c: Connection, scope: string, definitions: D, activityTypeId?: string): Promise<FieldIds<D>> {
  const path = `/custom_field/${scope}/`;
  const byName = new Map(Object.values(definitions).map((d) => [d.name, d]));
  const found = await convergeAll<CloseCustomField>([...byName.keys()], {
    find: () => customFieldsByName(c, scope, activityTypeId),
    create: (name) => send(c, "POST", path, customFieldSchema, { json: { name, type: byName.get(name)!.type, ...(activityTypeId ? { custom_activity_type_id: activityTypeId } : {}) } }),
    createdAt,
  });
  return Object.fromEntries(Object.entries(definitions).map(([key, d]) => [key, found.get(d.name)!.survivor.id])) as FieldIds<D>;
}

/** A custom activity type of ours, found by name or created, converged like the fields. */
async function activityType(c: Connection, name: string, description: string): Promise<string> {
  const { survivor } = await converge<z.infer<typeof customActivityTypeSchema>>({
    // The published spec gives this list no paging parameters: one call returns all types.
    find: async () => (await send(c, "GET", "/custom_activity/", listSchema(customActivityTypeSchema))).data.filter((t) => t.name === name),
    create: () => send(c, "POST", "/custom_activity/", customActivityTypeSchema, { json: { name, description } }),
    createdAt,
  });
  return survivor.id;
}

/**
 * The opportunity statuses a cart's states map to, in the pipeline of the
 * org's first active status: its first active, won and lost statuses, and an
 * active "Abandoned cart" status created when missing. Close refuses a second
 * status of one label in a pipeline, so a writer that lost the creation race
 * adopts the one that won it.
 */
async function dealStatuses(c: Connection): Promise<CloseSchema["dealStatuses"]> {
  const list = async () => (await send(c, "GET", "/status/opportunity/", z.object({ data: z.array(opportunityStatusSchema) }))).data;
  const statuses = await list();
  const pipelineId = statuses.find((s) => s.type === "active")?.pipeline_id ?? undefined;
  const inPipeline = (s: CloseOpportunityStatus) => (s.pipeline_id ?? undefined) === pipelineId;
  const first = (type: string, all: CloseOpportunityStatus[]) => {
    const found = all.find((s) => inPipeline(s) && s.type === type && s.label !== abandonedStatusLabel);
    if (!found) throw new SyncError({ errorClass: "validation", message: `Close: the pipeline has no opportunity status of type ${type}` });
    return found.id;
  };
  const abandoned = async (all: CloseOpportunityStatus[]) => all.filter((s) => inPipeline(s) && s.label === abandonedStatusLabel);
  let [found] = await abandoned(statuses);
  if (!found) {
    try {
      found = await send(c, "POST", "/status/opportunity/", opportunityStatusSchema, { json: { label: abandonedStatusLabel, type: "active", pipeline_id: pipelineId } });
    } catch (error) {
      if (!(error instanceof SyncError && error.errorClass === "validation")) throw error;
      [found] = await abandoned(await list());
      if (!found) throw error;
    }
  }
  return { open: first("active", statuses), abandoned: found.id, won: first("won", statuses), lost: first("lost", statuses) };
}

async function loadSchema(c: Connection): Promise<CloseSchema> {
  const lead = await customFields(c, "lead", leadFields);
  const contact = await customFields(c, "contact", contactFields);
  const orderActivityTypeId = await activityType(c, orderActivityTypeName, "Orders synced from commercetools");
  const order = await customFields(c, "activity", orderFields, orderActivityTypeId);
  const deal = await customFields(c, "opportunity", dealFields);
  const orderEventActivityTypeId = await activityType(c, orderEventActivityTypeName, "What happened to a commercetools order: paid, shipped, refunded, returned, canceled");
  const orderEvent = await customFields(c, "activity", orderEventFields, orderEventActivityTypeId);
  return { lead, contact, order, orderActivityTypeId, deal, orderEvent, orderEventActivityTypeId, dealStatuses: await dealStatuses(c) };
}

/** The schema for a call, set up once for the connection's life (`ensureSchema`); a failed set-up is not kept. */
export const schemaSource = (transport: Transport) => loadedOnce((ctx) => loadSchema({ transport, ctx }));
