import type { FieldDefinition, Type } from "@commercetools/platform-sdk";
import type { CustomFieldsResource } from "../ports/commerce";
import { type CommercetoolsApi } from "./client";
import { commerceError } from "./commerce-writer";

/** The custom fields the project sets from the CRM, per resource. */
export const projectFields: Record<CustomFieldsResource, FieldDefinition[]> = {
  customer: [
    { name: "crmFollowUp", label: { en: "CRM: follow up" }, required: false, type: { name: "Boolean" }, inputHint: "SingleLine" },
    { name: "crmSegments", label: { en: "CRM: segments" }, required: false, type: { name: "Set", elementType: { name: "String" } }, inputHint: "SingleLine" },
    { name: "crmOpenOpportunity", label: { en: "CRM: open opportunity" }, required: false, type: { name: "String" }, inputHint: "SingleLine" },
  ],
  "business-unit": [],
};

/** Our own types, used when the merchant's resources carry none (commercetools allows one type per resource). */
export const ownTypeKeys: Record<CustomFieldsResource, string> = { customer: "ct-crm-sync-customer", "business-unit": "ct-crm-sync-business-unit" };

/** A text field for a mapped custom field the CRM sets, when the type lacks it. */
export const textField = (name: string): FieldDefinition => ({ name, label: { en: name }, required: false, type: { name: "String" }, inputHint: "SingleLine" });

/** The type most of the recently changed resources carry, if any carries one. */
async function typeInUse(api: CommercetoolsApi, resource: CustomFieldsResource): Promise<string | undefined> {
  const queryArgs = { sort: "lastModifiedAt desc", limit: 50, withTotal: false };
  const results =
    resource === "customer" ? (await api.customers().get({ queryArgs }).execute()).body.results : (await api.businessUnits().get({ queryArgs }).execute()).body.results;
  const counts = new Map<string, number>();
  for (const r of results) if (r.custom) counts.set(r.custom.type.id, (counts.get(r.custom.type.id) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export type InstalledFields = { typeKey: string; created: boolean; added: string[]; conflicts: string[] };

/**
 * Installs the fields on the type the resource's records already carry, by
 * adding field definitions to it, or on our own type when they carry none;
 * idempotent. A field of the same name and another type is left as it is and
 * reported (the merchant decides, we never change their definitions).
 */
export async function installCustomFields(api: CommercetoolsApi, resource: CustomFieldsResource, fields: FieldDefinition[]): Promise<InstalledFields | undefined> {
  try {
    const types = (await api.types().get({ queryArgs: { limit: 500, withTotal: false } }).execute()).body.results.filter((t) => t.resourceTypeIds.includes(resource));
    const inUse = await typeInUse(api, resource);
    let type: Type | undefined = types.find((t) => t.id === inUse) ?? types.find((t) => t.key === ownTypeKeys[resource]);
    if (!type && fields.length === 0) return undefined;
    let created = false;
    if (!type) {
      const draft = { key: ownTypeKeys[resource], name: { en: `CRM sync (${resource})` }, resourceTypeIds: [resource], fieldDefinitions: fields };
      type = (await api.types().post({ body: draft }).execute()).body;
      created = true;
    }
    const present = new Map(type.fieldDefinitions.map((f) => [f.name, f]));
    const missing = fields.filter((f) => !present.has(f.name));
    const conflicts = fields.filter((f) => present.has(f.name) && JSON.stringify(present.get(f.name)!.type) !== JSON.stringify(f.type)).map((f) => f.name);
    if (missing.length > 0) {
      const actions = missing.map((fieldDefinition) => ({ action: "addFieldDefinition" as const, fieldDefinition }));
      await api.types().withId({ ID: type.id }).post({ body: { version: type.version, actions } }).execute();
    }
    return { typeKey: type.key, created, added: created ? [] : missing.map((f) => f.name), conflicts };
  } catch (error) {
    throw commerceError(error, `the ${resource} type installation`);
  }
}

/** The type to give a record that carries none: one that defines every field we set, the merchant's before ours. */
export function typeForNewFields(types: Type[], resource: CustomFieldsResource, names: string[]): Type | undefined {
  const fits = types.filter((t) => names.every((n) => t.fieldDefinitions.some((f) => f.name === n)));
  return fits.find((t) => t.key !== ownTypeKeys[resource]) ?? fits[0];
}
