import { SyncError } from "../../domain/errors";
import type { Clock } from "../../ports/clock";
import type { CallContext, CrmAdapter, CrmLimits, CrmRecord, WriteOutcome } from "../../ports/crm-outbound";
import { Batcher } from "../kit/batcher";
import { upsertCartDeals } from "./cart-deals";
import { upsertCompanies } from "./companies";
import type { FreshsalesApi } from "./connection";
import { upsertOrders } from "./deals";
import { contactIdField } from "./fields";
import { KnownIds } from "./known-ids";
import { lookup } from "./lookup";
import type { WriteCall } from "./modules";
import { recordOrderEvents } from "./order-events";
import { upsertPeople } from "./people";
import { freshsalesReconciliation } from "./reconcile";
import type { AccountSetup } from "./setup";

/** From this many people on, a backfill hands them over at once: their bulk jobs go out two at a time. */
const bulkThreshold = 300;
/**
 * Calls with fewer records than a bulk job takes wait this long for others
 * to join them (a burst of pushes, one record each, becomes a few bulk
 * jobs), and never longer than the second figure.
 */
const gathering = { quietMs: 200, maxWaitMs: 1_000 };

type Gathered<R> = { record: R; correlationId: string };

/** The caller stops waiting when its own deadline passes; the batch it joined is written anyway (every write is an upsert). */
function untilAborted<T>(answer: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return answer;
  return new Promise((resolve, reject) => {
    const abort = () => reject(new SyncError({ errorClass: "crm_unavailable", message: "the deadline passed while Freshsales wrote the batch this record joined" }));
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    answer.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/** The outbound side: upserts on our unique custom fields, bulk_upsert jobs for more than a few records, lookups for reads. */
export function freshsalesAdapter(deps: { api: FreshsalesApi; setup: AccountSetup; limits: CrmLimits; clock: Clock }): CrmAdapter {
  const known = new KnownIds();
  const call = (ctx: CallContext): WriteCall => ({ api: deps.api, ctx, known, clock: deps.clock });

  /** One entity's writes with concurrent small calls gathered: the batch runs under its first record's correlation ID, each record keeps its own. */
  const gathered = <R extends { sourceId: string }>(write: (call: WriteCall, records: R[]) => Promise<WriteOutcome[]>) => {
    const batcher = new Batcher<Gathered<R>, WriteOutcome>((items) => {
      const ctx = { correlationId: items[0]!.correlationId, correlationIds: new Map(items.map((i) => [i.record.sourceId, i.correlationId])) };
      return write(call(ctx), items.map((i) => i.record));
    }, { maxItems: deps.limits.maxBatchSize, ...gathering });
    return async (records: R[], ctx: CallContext): Promise<WriteOutcome[]> => {
      if (records.length >= deps.limits.maxBatchSize) return write(call(ctx), records);
      const items = records.map((record) => ({ record, correlationId: ctx.correlationIds?.get(record.sourceId) ?? ctx.correlationId }));
      return untilAborted(batcher.submit(items), ctx.signal);
    };
  };
  return {
    name: "freshsales",
    limits: deps.limits,
    bulk: { threshold: bulkThreshold, upsertPeople: (records, ctx) => upsertPeople(call(ctx), records) },
    reconcile: freshsalesReconciliation(call, deps.setup),
    async ensureSchema() {
      await deps.setup.checkFields();
      await deps.setup.dealStages();
    },
    upsertCompanies: gathered(upsertCompanies),
    upsertPeople: gathered(upsertPeople),
    upsertOrders: gathered(async (c, orders) => upsertOrders(c, orders, await deps.setup.dealStages())),
    upsertDeals: gathered(async (c, deals) => upsertCartDeals(c, deals, await deps.setup.dealStages())),
    // Concurrent deliveries of one order's events are gathered: one read of the contact's notes for all of them.
    recordOrderEvents: gathered(recordOrderEvents),

    async findPeople(query, ctx): Promise<CrmRecord[]> {
      const [field, value] = "sourceId" in query ? [contactIdField, query.sourceId] : ["email", query.email];
      const contacts = await lookup(call(ctx), "contacts", field, value);
      return contacts.map((contact) => {
        const sourceId = contact.custom_field[contactIdField];
        const fields = { first_name: contact.first_name ?? null, last_name: contact.last_name ?? null, email: contact.email ?? null };
        return typeof sourceId === "string" && sourceId !== "" ? { crmId: contact.id, sourceId, fields } : { crmId: contact.id, fields };
      });
    },

    // The event path steps back (and leaves the job's bulk writes the rest) once most of the hour's burst is spent.
    budget: () => ({ queueFull: deps.api.pacer.full || deps.api.pacer.allowance.spent, allowanceUsed: deps.api.pacer.allowance.usedShare }),
  };
}
