import PQueue from "p-queue";
import type { CrmAdapter } from "../ports/crm-adapter";

/**
 * Keeps calls to one CRM connection under the limits its adapter declares
 * (requests per second, requests in flight), so we stay below the CRM's
 * published limits instead of discovering them through throttling.
 */
export function limitAdapter(adapter: CrmAdapter): CrmAdapter {
  const queue = new PQueue({
    concurrency: adapter.limits.maxConcurrency,
    intervalCap: Math.max(1, Math.floor(adapter.limits.requestsPerSecond)),
    interval: 1000,
  });
  const run = <T>(call: () => Promise<T>): Promise<T> => queue.add(call) as Promise<T>;
  return {
    name: adapter.name,
    limits: adapter.limits,
    ensureSchema: (ctx) => run(() => adapter.ensureSchema(ctx)),
    upsertCompanies: (records, ctx) => run(() => adapter.upsertCompanies(records, ctx)),
    upsertPeople: (records, ctx) => run(() => adapter.upsertPeople(records, ctx)),
    upsertOrders: (records, ctx) => run(() => adapter.upsertOrders(records, ctx)),
    findPeople: (query, ctx) => run(() => adapter.findPeople(query, ctx)),
    // Optional capabilities go through the same queue: one budget per connection.
    ...(adapter.bulk
      ? { bulk: { threshold: adapter.bulk.threshold, upsertPeople: (records, ctx) => run(() => adapter.bulk!.upsertPeople(records, ctx)) } }
      : {}),
    ...(adapter.reconcile
      ? {
          reconcile: {
            expectedPersonValues: (person) => adapter.reconcile!.expectedPersonValues(person),
            listPeople: (cursor, ctx) => run(() => adapter.reconcile!.listPeople(cursor, ctx)),
            deletePerson: (crmId, ctx) => run(() => adapter.reconcile!.deletePerson(crmId, ctx)),
          },
        }
      : {}),
  };
}
