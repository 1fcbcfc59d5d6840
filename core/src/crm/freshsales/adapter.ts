import type { Clock } from "../../ports/clock";
import type { CallContext, CrmAdapter, CrmLimits, CrmRecord } from "../../ports/crm-outbound";
import { upsertCompanies } from "./companies";
import type { FreshsalesApi } from "./connection";
import { upsertOrders } from "./deals";
import { contactIdField } from "./fields";
import { KnownIds } from "./known-ids";
import { lookup } from "./lookup";
import type { WriteCall } from "./modules";
import { upsertPeople } from "./people";
import { freshsalesReconciliation } from "./reconcile";
import type { AccountSetup } from "./setup";

/** From this many people on, a backfill hands them over at once: their bulk jobs go out two at a time. */
const bulkThreshold = 300;

/** The outbound side: upserts on our unique custom fields, bulk_upsert jobs for more than a few records, lookups for reads. */
export function freshsalesAdapter(deps: { api: FreshsalesApi; setup: AccountSetup; limits: CrmLimits; clock: Clock }): CrmAdapter {
  const known = new KnownIds();
  const call = (ctx: CallContext): WriteCall => ({ api: deps.api, ctx, known, clock: deps.clock });
  const people = (records: Parameters<CrmAdapter["upsertPeople"]>[0], ctx: CallContext) => (records.length === 0 ? Promise.resolve([]) : upsertPeople(call(ctx), records));

  return {
    name: "freshsales",
    limits: deps.limits,
    bulk: { threshold: bulkThreshold, upsertPeople: people },
    reconcile: freshsalesReconciliation(call, deps.setup),
    async ensureSchema() {
      await deps.setup.checkFields();
      await deps.setup.dealStages();
    },
    upsertCompanies: async (records, ctx) => (records.length === 0 ? [] : upsertCompanies(call(ctx), records)),
    upsertPeople: people,
    upsertOrders: async (records, ctx) => (records.length === 0 ? [] : upsertOrders(call(ctx), records, await deps.setup.dealStages())),

    async findPeople(query, ctx): Promise<CrmRecord[]> {
      const [field, value] = "sourceId" in query ? [contactIdField, query.sourceId] : ["email", query.email];
      const contacts = await lookup(call(ctx), "contacts", field, value);
      return contacts.map((contact) => {
        const sourceId = contact.custom_field[contactIdField];
        const fields = { first_name: contact.first_name ?? null, last_name: contact.last_name ?? null, email: contact.email ?? null };
        return typeof sourceId === "string" && sourceId !== "" ? { crmId: contact.id, sourceId, fields } : { crmId: contact.id, fields };
      });
    },

    budget: () => ({ queueFull: deps.api.pacer.full || deps.api.pacer.allowance.spent }),
  };
}
