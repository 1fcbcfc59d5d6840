import type { Customer } from "@commercetools/platform-sdk";
import { customerActions } from "../../commercetools/inbound-actions";
import { typeForNewFields } from "../../commercetools/custom-types";
import { personFromCustomer } from "../../domain/commerce-mapping";
import { SyncError } from "../../domain/errors";
import { crmCustomerKey, decidePersonChange, type FieldValues, inboundTargets } from "../../domain/inbound";
import type { ConsentState } from "../../domain/model";
import { normaliseEmail } from "../../domain/normalise";
import type { CrmPersonSnapshot } from "../../ports/crm-inbound";
import { ConcurrentModificationError } from "../../ports/key-value-store";
import type { SyncLink } from "../../state/link-store";
import { type ApplyContext, type InboundOutcome, maxDecisions, outcome } from "./context";
import { recordCrmChange } from "./link-state";

/** Custom field names an apply sets, consent fields included (they must exist on the customer's type). */
function customNames(apply: FieldValues): string[] {
  const names = Object.keys(apply).filter((p) => p.startsWith("custom.")).map((p) => p.slice("custom.".length));
  if ("emailConsent.granted" in apply) names.push("emailMarketingConsent", "emailMarketingConsentAt", "emailMarketingConsentSource");
  return names;
}

/** Customer group IDs of the keys an apply names; a group that does not exist is the configuration's mistake, reported as such. */
async function groupIds(ac: ApplyContext, apply: FieldValues): Promise<Map<string, string>> {
  const key = apply[inboundTargets.customerGroup];
  if (typeof key !== "string") return new Map();
  const id = await ac.deps.commerce.customerGroupId(key);
  if (!id) throw new SyncError({ errorClass: "validation", message: `customer group "${key}" (inbound.segmentGroups of the mapping configuration) does not exist` });
  return new Map([[key, id]]);
}

/**
 * A contact the shop does not know, when the configuration says to create
 * its customer: one customer per contact (keyed by the CRM ID, so a second
 * attempt finds the first), without a password (ExternalAuth), and the
 * contact marked with the customer's ID so the outbound side updates it
 * rather than creating another.
 */
async function createCustomerFor(ac: ApplyContext, snapshot: CrmPersonSnapshot): Promise<{ customerId: string; link: SyncLink } | { skipped: string }> {
  const { deps, ctx } = ac;
  const email = normaliseEmail(typeof snapshot.fields.email === "string" ? snapshot.fields.email : undefined);
  if (!email) return { skipped: "unknown contact without an email address: no customer created" };
  if (!deps.inbound.adopt) return { skipped: "unknown contact: this CRM's connector cannot mark contacts with a customer ID, no customer created" };
  const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const firstName = text(snapshot.fields.firstName);
  const lastName = text(snapshot.fields.lastName);
  const customer = await deps.commerce.createCustomer({
    key: crmCustomerKey(deps.crm, snapshot.crmId),
    email,
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    authenticationMode: "ExternalAuth",
  });
  await deps.inbound.adopt("person", snapshot.crmId, customer.id, ctx);
  const at = deps.clock.now().toISOString();
  // Not settled: the outbound side writes the contact once (its first write as ours).
  const link: SyncLink = { connection: deps.connection, entity: "person", sourceId: customer.id, crmId: snapshot.crmId, sourceVersion: 0, hash: "", written: {}, syncedAt: at, correlationId: ctx.correlationId };
  await deps.links.update("person", customer.id, (current) => (current ? undefined : link));
  deps.logger.info("customer created from a CRM contact", { correlationId: ctx.correlationId, crmId: snapshot.crmId, sourceId: customer.id });
  return { customerId: customer.id, link: (await deps.links.get("person", customer.id))?.value ?? link };
}

/** A contact's change on its customer: owned fields, follow-up flag, segments and their group, consent the CRM enforces. */
export async function applyPerson(ac: ApplyContext, snapshot: CrmPersonSnapshot, known: SyncLink | undefined): Promise<InboundOutcome> {
  const { deps, config } = ac;
  let link = known;
  let customerId = link?.sourceId ?? snapshot.sourceId;
  if (!customerId) {
    if (config.inbound.unknownPeople !== "create") return outcome("person", snapshot.crmId, "skipped", { detail: "unknown contact: no commercetools customer (ignored by configuration)" });
    const created = await createCustomerFor(ac, snapshot);
    if ("skipped" in created) return outcome("person", snapshot.crmId, "skipped", { detail: created.skipped });
    ({ customerId, link } = created);
  }
  for (let attempt = 0; attempt < maxDecisions; attempt++) {
    const customer: Customer | undefined = await deps.commerce.customerWithGroup(customerId);
    if (!customer) return outcome("person", snapshot.crmId, "missing", { detail: "the contact's customer no longer exists" });
    const decision = decidePersonChange({
      config,
      snapshot,
      current: personFromCustomer(customer),
      currentGroup: customer.customerGroup?.obj?.key,
      ...(link ? { written: link.written } : {}),
      ...(link?.fromCrm ? { fromCrm: link.fromCrm } : {}),
    });
    ac.logDecisions("person", customer.id, decision.decisions);
    if (Object.keys(decision.apply).length === 0) return outcome("person", snapshot.crmId, "unchanged", { sourceId: customer.id });
    const granted = decision.apply["emailConsent.granted"];
    const consent: ConsentState | undefined = typeof granted === "boolean" ? { granted, at: snapshot.modifiedAt, source: `crm:${deps.crm}` } : undefined;
    const typeKey = customer.custom ? undefined : typeForNewFields(await ac.types("customer"), "customer", customNames(decision.apply))?.key;
    const actions = customerActions(customer, decision.apply, { typeKey, groupIds: await groupIds(ac, decision.apply), ...(consent ? { consent } : {}) });
    try {
      await deps.commerce.updateCustomer(customer.id, customer.version, actions);
    } catch (error) {
      if (error instanceof ConcurrentModificationError) continue;
      throw error;
    }
    await recordCrmChange(ac, "person", customer.id, snapshot.crmId, { decision, modifiedAt: snapshot.modifiedAt, ...(consent ? { consent } : {}) });
    return outcome("person", snapshot.crmId, "written", { sourceId: customer.id });
  }
  throw new SyncError({ errorClass: "conflict", message: "the customer kept changing while the CRM change was decided" });
}
