import type { Company } from "../../domain/model";
import { converge, type Converged } from "../kit/converge";
import type { RecordWrite } from "../kit/record-writer";
import { listAll, removeQuietly, send, type Call } from "./connection";
import { companyLeadBody, placeholderCompanyBody } from "./mapping";
import { idOnlySchema, leadSchema, type SearchHit } from "./schemas";
import { createdAt, findByCustomValues } from "./search";

/**
 * A unit's lead, found by its business-unit ID or created, converged across
 * writers (Close has no upsert): the oldest survives and takes the others'
 * contacts. Runs under the unit's in-process lock; the re-check after
 * creating handles writers in other processes.
 */
function convergeCompanyLead(call: Call, sourceId: string, body: () => Record<string, unknown>, update?: (lead: SearchHit) => Promise<void>): Promise<Converged<SearchHit>> {
  return call.lock.run(`company:${sourceId}`, () =>
    converge<SearchHit>({
      find: async () => (await findByCustomValues(call, "lead", call.schema.lead.businessUnitId, [sourceId], [])).get(sourceId)!,
      create: async () => ({ __object_type: "lead", ...(await send(call, "POST", "/lead/", leadSchema, { json: body() })) }),
      createdAt,
      async absorb(duplicate, survivor) {
        for (const contact of await listAll(call, "/contact/", idOnlySchema, { lead_id: duplicate.id, _fields: "id" })) {
          await send(call, "PUT", `/contact/${contact.id}/`, idOnlySchema, { json: { lead_id: survivor.id } });
        }
      },
      async remove(duplicate, survivor) {
        await removeQuietly(call, `/lead/${duplicate.id}/`);
        call.logger.warn("close: removed duplicate company lead", { kept: survivor.id, removed: duplicate.id });
      },
      ...(update ? { update } : {}),
    }),
  );
}

export async function upsertCompany(call: Call, company: Company): Promise<RecordWrite> {
  // Created by us: the body is already in. Found (or lost a creation race): bring it up to date.
  const { survivor, created } = await convergeCompanyLead(
    call,
    company.sourceId,
    () => companyLeadBody(company, call.schema, true),
    (lead) => send(call, "PUT", `/lead/${lead.id}/`, leadSchema, { json: companyLeadBody(company, call.schema, false) }).then(() => undefined),
  );
  return { crmId: survivor.id, created };
}

/**
 * The lead an associate belongs under. A unit not synced yet gets a
 * placeholder (its ID and name) that the unit's own sync completes, so people
 * and units can arrive in any order.
 */
export async function ensureCompanyLead(call: Call, sourceId: string, name: string | undefined): Promise<string> {
  return (await convergeCompanyLead(call, sourceId, () => placeholderCompanyBody(sourceId, name, call.schema))).survivor.id;
}
