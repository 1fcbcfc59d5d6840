import type { CallContext } from "../../ports/crm-outbound";
import { converge, convergeAll, oldestFirst } from "../kit/converge";
import type { Transport } from "../kit/transport";
import { listAll, loadedOnce, send } from "./connection";
import { contactFields, leadFields, orderActivityTypeName, orderFields, type CloseSchema, type FieldIds } from "./field-names";
import type { z } from "zod";
import { customActivityTypeSchema, customFieldSchema, listSchema, type CloseCustomField } from "./schemas";
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

async function orderActivityType(c: Connection): Promise<string> {
  const { survivor } = await converge<z.infer<typeof customActivityTypeSchema>>({
    // The published spec gives this list no paging parameters: one call returns all types.
    find: async () => (await send(c, "GET", "/custom_activity/", listSchema(customActivityTypeSchema))).data.filter((t) => t.name === orderActivityTypeName),
    create: () => send(c, "POST", "/custom_activity/", customActivityTypeSchema, { json: { name: orderActivityTypeName, description: "Orders synced from commercetools" } }),
    createdAt,
  });
  return survivor.id;
}

async function loadSchema(c: Connection): Promise<CloseSchema> {
  const lead = await customFields(c, "lead", leadFields);
  const contact = await customFields(c, "contact", contactFields);
  const orderActivityTypeId = await orderActivityType(c);
  const order = await customFields(c, "activity", orderFields, orderActivityTypeId);
  return { lead, contact, order, orderActivityTypeId };
}

/** The schema for a call, set up once for the connection's life (`ensureSchema`); a failed set-up is not kept. */
export const schemaSource = (transport: Transport) => loadedOnce((ctx) => loadSchema({ transport, ctx }));
