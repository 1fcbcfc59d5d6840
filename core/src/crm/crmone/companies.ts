import type { Company } from "../../domain/model";
import type { Converged } from "../kit/converge";
import type { RecordWrite } from "../kit/record-writer";
import { type Call, type CrmOneRecord, findAll, updateRecord } from "./api";
import { convergeRecord } from "./converge-record";
import { accountFields, models } from "./fields";
import { accountData, placeholderAccountData, type RecordData } from "./mapping";

/** The contacts pointing at an account, moved onto the survivor before a duplicate account goes. */
async function moveContacts(call: Call, from: CrmOneRecord, to: CrmOneRecord): Promise<void> {
  for (const contact of await findAll(call, models.person, { primary_account_id: from.id }, ["id"])) {
    await updateRecord(call, models.person, contact.id, { primary_account_id: to.id });
  }
}

/** A unit's account by `ct_business_unit_id`, converged; the survivor takes the duplicates' contacts. */
function convergeAccount(call: Call, sourceId: string, data: () => RecordData, update?: (account: CrmOneRecord) => Promise<void>): Promise<Converged<CrmOneRecord>> {
  return convergeRecord(call, {
    model: models.company,
    lock: `company:${sourceId}`,
    filters: { [accountFields.businessUnitId]: sourceId },
    data,
    absorb: (duplicate, survivor) => moveContacts(call, duplicate, survivor),
    ...(update ? { update } : {}),
  });
}

/**
 * The account of a unit people or divisions hang under. A unit not synced yet
 * gets a placeholder (its ID and name) that its own sync completes, so units
 * and people can arrive in any order.
 */
export async function ensureAccount(call: Call, sourceId: string, name: string | undefined): Promise<string> {
  return (await convergeAccount(call, sourceId, () => placeholderAccountData(sourceId, name))).survivor.id;
}

export async function upsertCompany(call: Call, company: Company): Promise<RecordWrite> {
  // The parent first, outside this unit's lock: a division never waits inside its own lock for another.
  const parentId = company.unitType === "Division" && company.parentSourceId ? await ensureAccount(call, company.parentSourceId, undefined) : undefined;
  const data = accountData(company, parentId);
  const { survivor, created } = await convergeAccount(call, company.sourceId, () => data, (account) => updateRecord(call, models.company, account.id, data));
  return { crmId: survivor.id, created };
}
