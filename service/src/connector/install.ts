import type { FieldDefinition } from "@commercetools/platform-sdk";
import { installCustomFields, type InstalledFields, projectFields, textField } from "@ct-crm-sync/core/commercetools/custom-types";
import type { FieldMapping } from "@ct-crm-sync/core/domain/mapping-config";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { inboundOf } from "@ct-crm-sync/core/sync/inbound/index";

/** The consent fields of the canonical model (commerce-mapping.ts), set from the CRM when the configuration lets the CRM enforce consent. */
const consentFields: FieldDefinition[] = [
  { name: "emailMarketingConsent", label: { en: "Email marketing consent" }, required: false, type: { name: "Boolean" }, inputHint: "SingleLine" },
  { name: "emailMarketingConsentAt", label: { en: "Email consent changed at" }, required: false, type: { name: "DateTime" }, inputHint: "SingleLine" },
  { name: "emailMarketingConsentSource", label: { en: "Email consent source" }, required: false, type: { name: "String" }, inputHint: "SingleLine" },
];

/** Text fields for mapped custom fields the CRM sets (owner `crm` or `first-write`), unless a field of that name is already wanted. */
function crmOwnedFields(mappings: FieldMapping[], wanted: FieldDefinition[]): FieldDefinition[] {
  const names = new Set(wanted.map((f) => f.name));
  return mappings
    .filter((m) => m.source.startsWith("custom.") && m.owner !== "commercetools")
    .map((m) => m.source.slice("custom.".length))
    .filter((name) => !names.has(name) && names.add(name))
    .map(textField);
}

export type InboundInstallation = {
  customer?: InstalledFields;
  businessUnit?: InstalledFields;
  webhook: "subscribed" | "kept" | "not-needed";
};

/**
 * What the inbound direction needs in the project and the CRM, idempotently:
 * the custom fields it sets (on the type customers and business units
 * already carry, else on our own), and the CRM's webhook subscription to
 * `<serviceUrl>/webhooks/<crm>`, whose issued secret is kept where the apps
 * read it (WebhookStore).
 */
export async function installInbound(runtime: Runtime, serviceUrl: string): Promise<InboundInstallation> {
  const config = await runtime.mappings.config();
  const customerWanted = [...projectFields.customer, ...(config.consent.email?.owner === "crm" ? consentFields : [])];
  const customer = await installCustomFields(runtime.api, "customer", [...customerWanted, ...crmOwnedFields(config.entities.person.fields, customerWanted)]);
  const unitWanted = projectFields["business-unit"];
  const businessUnit = await installCustomFields(runtime.api, "business-unit", [...unitWanted, ...crmOwnedFields(config.entities.company.fields, unitWanted)]);
  for (const installed of [customer, businessUnit]) {
    if (installed?.conflicts.length) runtime.logger.warn("custom fields of another type already exist, left as they are", { typeKey: installed.typeKey, fields: installed.conflicts });
  }
  const installation: InboundInstallation = { ...(customer ? { customer } : {}), ...(businessUnit ? { businessUnit } : {}), webhook: "not-needed" };
  if (!runtime.inbound.subscribe) return installation;

  const url = new URL(`webhooks/${runtime.connector.name}`, serviceUrl.endsWith("/") ? serviceUrl : `${serviceUrl}/`).toString();
  const { webhooks } = inboundOf(runtime);
  const kept = await webhooks.get();
  // Without the secret of the subscription we made, its deliveries cannot be verified: replace it.
  const renew = !kept?.issuedSecret || kept.url !== url;
  const { issuedSecret } = await runtime.inbound.subscribe(url, { renew }, { correlationId: "service-post-deploy" });
  if (issuedSecret) {
    await webhooks.save({ url, issuedSecret, subscribedAt: runtime.clock.now().toISOString() });
    return { ...installation, webhook: "subscribed" };
  }
  return { ...installation, webhook: "kept" };
}
