import { businessUnitActions } from "../../commercetools/inbound-actions";
import { typeForNewFields } from "../../commercetools/custom-types";
import { companyFromBusinessUnit } from "../../domain/commerce-mapping";
import { SyncError } from "../../domain/errors";
import { decideCompanyChange } from "../../domain/inbound";
import type { CrmCompanySnapshot } from "../../ports/crm-inbound";
import { ConcurrentModificationError } from "../../ports/key-value-store";
import type { SyncLink } from "../../state/link-store";
import { type ApplyContext, type InboundOutcome, maxDecisions, outcome } from "./context";
import { recordCrmChange } from "./link-state";

/** An account's change on its business unit: the fields the mapping configuration gives the CRM. Units are never created from the CRM. */
export async function applyCompany(ac: ApplyContext, snapshot: CrmCompanySnapshot, link: SyncLink | undefined): Promise<InboundOutcome> {
  const { deps, config } = ac;
  const unitId = link?.sourceId ?? snapshot.sourceId;
  if (!unitId) return outcome("company", snapshot.crmId, "skipped", { detail: "no business unit is linked to this account" });
  for (let attempt = 0; attempt < maxDecisions; attempt++) {
    const unit = await deps.commerce.businessUnit(unitId);
    if (!unit) return outcome("company", snapshot.crmId, "missing", { detail: "the account's business unit no longer exists" });
    const decision = decideCompanyChange({
      config,
      snapshot,
      current: companyFromBusinessUnit(unit),
      ...(link ? { written: link.written } : {}),
      ...(link?.fromCrm ? { fromCrm: link.fromCrm } : {}),
    });
    ac.logDecisions("company", unit.id, decision.decisions);
    if (Object.keys(decision.apply).length === 0) return outcome("company", snapshot.crmId, "unchanged", { sourceId: unit.id });
    const names = Object.keys(decision.apply).filter((p) => p.startsWith("custom.")).map((p) => p.slice("custom.".length));
    const typeKey = unit.custom ? undefined : typeForNewFields(await ac.types("business-unit"), "business-unit", names)?.key;
    try {
      await deps.commerce.updateBusinessUnit(unit.id, unit.version, businessUnitActions(unit, decision.apply, typeKey));
    } catch (error) {
      if (error instanceof ConcurrentModificationError) continue;
      throw error;
    }
    await recordCrmChange(ac, "company", unit.id, snapshot.crmId, { decision, modifiedAt: snapshot.modifiedAt });
    return outcome("company", snapshot.crmId, "written", { sourceId: unit.id });
  }
  throw new SyncError({ errorClass: "conflict", message: "the business unit kept changing while the CRM change was decided" });
}
