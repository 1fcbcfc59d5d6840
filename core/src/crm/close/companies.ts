import type { Company } from "../../domain/model";
import { idOnlySchema, leadSchema, type SearchHit } from "./schemas";
import { listAll } from "./paging";
import { deleteQuietly, findByCustomValue, type Call, type WriteResult } from "./context";
import { companyLeadBody, placeholderCompanyBody } from "./mapping";

/** Leads of one business unit, oldest first. */
export function findCompanyLeads(call: Call, sourceId: string): Promise<SearchHit[]> {
  return findByCustomValue(call, "lead", call.schema.lead.businessUnitId, sourceId, []);
}

/**
 * Several leads for one unit (concurrent creation in two processes): keep the
 * oldest, move the others' contacts onto it, delete the others. Everyone sorts
 * the same way, so concurrent cleaners agree on the survivor.
 */
async function mergeDuplicates(call: Call, keep: SearchHit, duplicates: SearchHit[]): Promise<void> {
  for (const duplicate of duplicates) {
    const contacts = await listAll(call.http, call.ctx, "/contact/", idOnlySchema, { lead_id: duplicate.id, _fields: "id" });
    for (const contact of contacts) {
      await call.http.request(call.ctx, "PUT", `/contact/${contact.id}/`, idOnlySchema, { body: { lead_id: keep.id } });
    }
    await deleteQuietly(call, `/lead/${duplicate.id}/`);
    call.logger?.warn("close: removed duplicate company lead", { kept: keep.id, removed: duplicate.id });
  }
}

/**
 * Find-or-create for a unit's lead with convergence. Runs under the unit's
 * in-process lock (callers take it); the post-create re-check handles writers
 * in other processes.
 */
async function findOrCreate(call: Call, sourceId: string, createBody: () => Record<string, unknown>): Promise<WriteResult & { keepId: string }> {
  const existing = await findCompanyLeads(call, sourceId);
  if (existing[0]) {
    await mergeDuplicates(call, existing[0], existing.slice(1));
    return { crmId: existing[0].id, keepId: existing[0].id, created: false };
  }
  const created = await call.http.request(call.ctx, "POST", "/lead/", leadSchema, { body: createBody() });
  const after = await findCompanyLeads(call, sourceId);
  const keep = after[0];
  if (!keep) return { crmId: created.id, keepId: created.id, created: true };
  await mergeDuplicates(call, keep, after.slice(1));
  return { crmId: keep.id, keepId: keep.id, created: keep.id === created.id };
}

export async function upsertCompany(call: Call, company: Company): Promise<WriteResult> {
  return call.mutex.run(`company:${company.sourceId}`, async () => {
    const result = await findOrCreate(call, company.sourceId, () => companyLeadBody(company, call.schema, true));
    // Created by us: the body is already in. Found (or lost a creation race): bring it up to date.
    if (!result.created) {
      await call.http.request(call.ctx, "PUT", `/lead/${result.keepId}/`, leadSchema, { body: companyLeadBody(company, call.schema, false) });
    }
    return { crmId: result.crmId, created: result.created };
  });
}

/**
 * The lead an associate belongs under. A unit not synced yet gets a
 * placeholder (its ID and name) that the unit's own sync completes, so people
 * and units can arrive in any order.
 */
export async function ensureCompanyLead(call: Call, sourceId: string, name: string | undefined): Promise<string> {
  return call.mutex.run(`company:${sourceId}`, async () => {
    const result = await findOrCreate(call, sourceId, () => placeholderCompanyBody(sourceId, name, call.schema));
    return result.keepId;
  });
}
