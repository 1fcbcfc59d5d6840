import type { CallContext, CrmAdapter, CrmLimits, CrmRecord } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import { KeyedLock } from "../../reliability/keyed-lock";
import { writeEach } from "../kit/record-writer";
import type { Transport } from "../kit/transport";
import { upsertCompany } from "./companies";
import { upsertDeals } from "./deals";
import { recordOrderEvents } from "./order-events";
import type { Call } from "./connection";
import { customKey, type CloseSchema } from "./field-names";
import { contactsOfCustomers, upsertOrder } from "./orders";
import { findContactsOf, upsertPeople } from "./people";
import { closeReconciliation } from "./reconcile";
import type { SearchHit } from "./schemas";
import { contactsWithEmail } from "./search";

function toRecord(hit: SearchHit, customerKey: string): CrmRecord {
  const sourceId = hit[customerKey];
  return {
    crmId: hit.id,
    ...(typeof sourceId === "string" ? { sourceId } : {}),
    fields: { name: hit.name ?? null, emails: hit.emails ?? [], lead_id: hit.lead_id ?? null },
  };
}

export function closeAdapter(deps: { transport: Transport; schema: (ctx: CallContext) => Promise<CloseSchema>; limits: CrmLimits; logger: Logger }): CrmAdapter {
  const lock = new KeyedLock();
  const call = async (ctx: CallContext): Promise<Call> => ({ transport: deps.transport, lock, logger: deps.logger, ctx, schema: await deps.schema(ctx) });

  return {
    name: "close",
    limits: deps.limits,
    // No bulk path: Close writes one record a request (backfills go through upsertPeople, batched finds).
    reconcile: closeReconciliation(call),
    async ensureSchema(ctx) {
      await deps.schema(ctx);
    },
    async upsertCompanies(records, ctx) {
      if (records.length === 0) return [];
      const c = await call(ctx);
      return writeEach(records, (company) => upsertCompany(c, company));
    },
    async upsertPeople(records, ctx) {
      return records.length === 0 ? [] : upsertPeople(await call(ctx), records);
    },
    async upsertOrders(records, ctx) {
      if (records.length === 0) return [];
      const c = await call(ctx);
      const known = await contactsOfCustomers(c, records);
      return writeEach(records, (order) => upsertOrder(c, order, known));
    },
    async upsertDeals(records, ctx) {
      return records.length === 0 ? [] : upsertDeals(await call(ctx), records);
    },
    async recordOrderEvents(events, ctx) {
      return events.length === 0 ? [] : recordOrderEvents(await call(ctx), events);
    },
    async findPeople(query, ctx) {
      const c = await call(ctx);
      const customerKey = customKey(c.schema.contact.customerId);
      const hits = "sourceId" in query ? (await findContactsOf(c, [query.sourceId])).get(query.sourceId)! : await contactsWithEmail(c, query.email);
      return hits.map((h) => toRecord(h, customerKey));
    },
  };
}
