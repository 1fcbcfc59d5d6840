import type { CallContext, CrmAdapter, CrmBudget, CrmLimits, CrmRecord } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import { KeyedLock } from "../../reliability/keyed-lock";
import { writeEach } from "../kit/record-writer";
import { SingleFlight } from "../kit/single-flight";
import type { Transport } from "../kit/transport";
import { type Call, type CrmOneRecord, findAll, text } from "./api";
import { upsertCompany } from "./companies";
import { oldestFirstOrder } from "./converge-record";
import { shoppersAccountOnce, upsertDeal } from "./deals";
import { contactFields, coreSetup, dealSetup, type ModelSetup, models, timelineSetup } from "./fields";
import { recordOrderEvent } from "./order-events";
import { targetsOnce, upsertOrder } from "./orders";
import { contactsOf, upsertPerson } from "./people";
import { crmOneReconciliation } from "./reconcile";
import { checkSetup } from "./setup-check";

const personFields = ["id", "first_name", "last_name", "email1", "primary_account_id", contactFields.customerId];

function toRecord(contact: CrmOneRecord): CrmRecord {
  const sourceId = text(contact, contactFields.customerId);
  return {
    crmId: contact.id,
    ...(sourceId ? { sourceId } : {}),
    fields: Object.fromEntries(personFields.filter((f) => f !== "id").map((f) => [f, contact[f] ?? null])),
  };
}

/**
 * The outbound side: one request at a time per record write (1CRM has no
 * batch endpoint), each record converged on its key; the call's records in
 * input order, a record the instance refuses as that record's outcome. The
 * instance's set-up is checked once per connection before the first write,
 * and what deals and timeline entries need on top before the first of those
 * (an instance set up before them keeps syncing people and orders).
 * `budget` says when the connection's pacing queue is full, so the event app
 * steps back (Pub/Sub comes again) instead of queueing past its deadline.
 */
export function crmOneAdapter(deps: { transport: Transport; limits: CrmLimits; logger: Logger; budget(): CrmBudget }): CrmAdapter {
  const lock = new KeyedLock();
  // Each check runs under the context of the call that started it (its correlation ID and deadline).
  const checks = new Map<readonly ModelSetup[], { starter: CallContext; flight: SingleFlight<void> }>();
  const checkOnce = (setup: readonly ModelSetup[], ctx: CallContext) => {
    let check = checks.get(setup);
    if (!check) {
      const created = { starter: ctx } as { starter: CallContext; flight: SingleFlight<void> };
      created.flight = new SingleFlight(() => checkSetup(deps.transport, created.starter, setup));
      checks.set(setup, (check = created));
    }
    check.starter = ctx;
    return check.flight.get();
  };
  const call = async (ctx: CallContext, ...setups: (readonly ModelSetup[])[]): Promise<Call> => {
    for (const setup of [coreSetup, ...setups]) await checkOnce(setup, ctx);
    return { transport: deps.transport, lock, logger: deps.logger, ctx };
  };

  return {
    name: "crmone",
    limits: deps.limits,
    // No bulk path: backfills write through the calls below, at the connection's pace.
    reconcile: crmOneReconciliation(call),
    budget: deps.budget,
    // Everything the connector writes, deals and timeline entries included (the sandbox and postDeploy ask before writing).
    async ensureSchema(ctx) {
      await call(ctx, dealSetup, timelineSetup);
    },
    async upsertCompanies(records, ctx) {
      if (records.length === 0) return [];
      const c = await call(ctx);
      return writeEach(records, (company) => upsertCompany(c, company));
    },
    async upsertPeople(records, ctx) {
      if (records.length === 0) return [];
      const c = await call(ctx);
      return writeEach(records, (person) => upsertPerson(c, person));
    },
    async upsertOrders(records, ctx) {
      if (records.length === 0) return [];
      const c = await call(ctx);
      return writeEach(records, (order) => upsertOrder(c, order));
    },
    async upsertDeals(records, ctx) {
      if (records.length === 0) return [];
      const c = await call(ctx, dealSetup);
      const [targets, shoppers] = [targetsOnce(c), shoppersAccountOnce(c)];
      return writeEach(records, (deal) => upsertDeal(c, deal, targets, shoppers));
    },
    async recordOrderEvents(events, ctx) {
      if (events.length === 0) return [];
      const c = await call(ctx, timelineSetup);
      const targets = targetsOnce(c);
      return writeEach(events, (event) => recordOrderEvent(c, event, targets));
    },
    async findPeople(query, ctx) {
      const c = await call(ctx);
      const found = "sourceId" in query ? await contactsOf(c, query.sourceId, personFields) : await findAll(c, models.person, { email1: query.email }, personFields, oldestFirstOrder);
      return found.map(toRecord);
    },
  };
}
