import type { BusinessUnit, Customer, Order } from "@commercetools/platform-sdk";
import {
  companyFromBusinessUnit,
  guestPersonFromOrder,
  type MappingOptions,
  orderActivityFromOrder,
  personFromCustomer,
  type PersonContext,
} from "../domain/commerce-mapping";
import { SyncError } from "../domain/errors";
import type { Company, Person } from "../domain/model";
import { normaliseEmail } from "../domain/normalise";
import type { CommerceReader } from "../ports/commerce";
import type { CallContext } from "../ports/crm-adapter";
import { type RecordOutcome, recordFailure, type WriterDeps, writeRecords } from "./record-writer";

export type SyncDeps = WriterDeps & { commerce: CommerceReader; mapping?: MappingOptions };

/**
 * The sync use cases, the same whoever calls them (a Pub/Sub message, a job
 * page, a replay): read current state, map, write what changed. Each returns
 * the outcome of every record it touched, the requested one last.
 */
export class SyncService {
  constructor(readonly deps: SyncDeps) {}

  async syncCustomer(id: string, ctx: CallContext, known?: Customer): Promise<RecordOutcome[]> {
    const customer = known ?? (await this.deps.commerce.get("customer", id));
    if (!customer) return [{ entity: "person", sourceId: id, outcome: "missing" }];
    return this.syncCustomers([customer], ctx);
  }

  /** People for many customers; their companies are written first where not yet linked. */
  async syncCustomers(customers: Customer[], ctx: CallContext, stats = true): Promise<RecordOutcome[]> {
    const people: Person[] = [];
    const prior: RecordOutcome[] = [];
    for (const customer of customers) {
      const context = await this.personContext(customer, stats);
      people.push(personFromCustomer(customer, context));
    }
    prior.push(...(await this.ensureCompanies(people, ctx)));
    const failedCompanies = new Set(prior.filter((o) => o.outcome === "failed").map((o) => o.sourceId));
    const blocked = people.filter((p) => p.companySourceId && failedCompanies.has(p.companySourceId));
    for (const person of blocked) await this.failDependent("person", person.sourceId, "company", person.companySourceId!, ctx);
    const ready = people.filter((p) => !blocked.includes(p));
    const written = await writeRecords(this.deps, "person", ready, ctx);
    return [
      ...prior,
      ...blocked.map((p): RecordOutcome => ({ entity: "person", sourceId: p.sourceId, outcome: "failed" })),
      ...written,
    ];
  }

  async syncBusinessUnit(id: string, ctx: CallContext, known?: BusinessUnit): Promise<RecordOutcome[]> {
    const unit = known ?? (await this.deps.commerce.get("business-unit", id));
    if (!unit) return [{ entity: "company", sourceId: id, outcome: "missing" }];
    return this.syncBusinessUnits([unit], ctx);
  }

  /** Companies (parents first), then their associates as people of the unit. */
  async syncBusinessUnits(units: BusinessUnit[], ctx: CallContext): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    const companies = await Promise.all(units.map((unit) => this.company(unit)));
    outcomes.push(...(await this.ensureParents(companies, ctx)));
    const written = await writeRecords(this.deps, "company", companies, ctx);
    outcomes.push(...written);
    const associateIds = [
      ...new Set(
        units
          .filter((u) => written.find((o) => o.sourceId === u.id)?.outcome !== "failed")
          .flatMap((u) => u.associates.map((a) => a.customer.id)),
      ),
    ];
    const customers: Customer[] = [];
    for (const customerId of associateIds) {
      const customer = await this.deps.commerce.get("customer", customerId);
      if (customer) customers.push(customer);
    }
    if (customers.length) outcomes.push(...(await this.syncCustomers(customers, ctx)));
    return outcomes;
  }

  async syncOrder(id: string, ctx: CallContext, known?: Order): Promise<RecordOutcome[]> {
    const order = known ?? (await this.deps.commerce.get("order", id));
    if (!order) return [{ entity: "order", sourceId: id, outcome: "missing" }];
    return this.syncOrders([order], ctx);
  }

  /** Orders, after the people who placed them (re-synced: their purchase figures changed). */
  async syncOrders(orders: Order[], ctx: CallContext): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    const activities = [];
    for (const order of orders) {
      const person = await this.personForOrder(order, ctx);
      outcomes.push(...person.outcomes);
      if (!person.sourceId) {
        await this.failDependent("order", order.id, "person", person.failedSourceId ?? "unknown", ctx, person.error);
        outcomes.push({ entity: "order", sourceId: order.id, outcome: "failed" });
        continue;
      }
      const companySourceId = order.businessUnit
        ? (await this.deps.commerce.businessUnitByKey(order.businessUnit.key))?.id
        : undefined;
      activities.push(orderActivityFromOrder(order, { personSourceId: person.sourceId, companySourceId }, this.deps.mapping));
    }
    outcomes.push(...(await writeRecords(this.deps, "order", activities, ctx)));
    return outcomes;
  }

  private async company(unit: BusinessUnit): Promise<Company> {
    const parentKey = unit.unitType === "Division" ? unit.parentUnit?.key : undefined;
    const parent = parentKey ? await this.deps.commerce.businessUnitByKey(parentKey) : undefined;
    return companyFromBusinessUnit(unit, parent?.id);
  }

  private async personContext(customer: Customer, withStats: boolean): Promise<PersonContext> {
    const [stats, units] = await Promise.all([
      withStats ? this.deps.commerce.purchaseStats(customer.id) : undefined,
      this.deps.commerce.businessUnitsOfAssociate(customer.id),
    ]);
    const unit = units[0];
    const roles = unit?.associates
      .find((a) => a.customer.id === customer.id)
      ?.associateRoleAssignments.map((r) => r.associateRole.key)
      .filter((key): key is string => Boolean(key));
    return { stats, company: unit ? { sourceId: unit.id, name: unit.name, roles: roles ?? [] } : undefined };
  }

  /** Companies that people or divisions point at, written first when not linked yet. */
  private async ensureCompanies(people: Person[], ctx: CallContext): Promise<RecordOutcome[]> {
    const ids = [...new Set(people.map((p) => p.companySourceId).filter((id): id is string => Boolean(id)))];
    return this.ensureLinkedUnits(ids, ctx);
  }

  private async ensureParents(companies: Company[], ctx: CallContext): Promise<RecordOutcome[]> {
    const inBatch = new Set(companies.map((c) => c.sourceId));
    const ids = [...new Set(companies.map((c) => c.parentSourceId).filter((id): id is string => Boolean(id) && !inBatch.has(id!)))];
    const outcomes = await this.ensureLinkedUnits(ids, ctx);
    // Parents inside the batch go before their divisions.
    companies.sort((a, b) => Number(Boolean(a.parentSourceId && inBatch.has(a.parentSourceId))) - Number(Boolean(b.parentSourceId && inBatch.has(b.parentSourceId))));
    return outcomes;
  }

  private async ensureLinkedUnits(ids: string[], ctx: CallContext): Promise<RecordOutcome[]> {
    if (ids.length === 0) return [];
    const linked = await this.deps.links.getMany("company", ids);
    const missing = ids.filter((id) => !linked.has(id));
    const outcomes: RecordOutcome[] = [];
    for (const id of missing) {
      const unit = await this.deps.commerce.get("business-unit", id);
      if (!unit) continue;
      const company = await this.company(unit);
      if (company.parentSourceId) outcomes.push(...(await this.ensureLinkedUnits([company.parentSourceId], ctx)));
      outcomes.push(...(await writeRecords(this.deps, "company", [company], ctx)));
    }
    return outcomes;
  }

  private async personForOrder(
    order: Order,
    ctx: CallContext,
  ): Promise<{ sourceId?: string; outcomes: RecordOutcome[]; failedSourceId?: string; error?: SyncError }> {
    if (order.customerId) {
      const outcomes = await this.syncCustomer(order.customerId, ctx);
      const own = outcomes.find((o) => o.entity === "person" && o.sourceId === order.customerId);
      if (own && own.outcome !== "failed" && own.outcome !== "missing") return { sourceId: order.customerId, outcomes };
      if (own?.outcome === "failed") return { outcomes, failedSourceId: order.customerId };
    }
    const email = normaliseEmail(order.customerEmail);
    if (!email) {
      return {
        outcomes: [],
        error: new SyncError({ errorClass: "validation", message: "order has neither a customer nor a valid customer email" }),
      };
    }
    const matches = await this.deps.crm.findPeople({ email }, ctx);
    const linkedMatches = matches.filter((m) => m.sourceId);
    if (linkedMatches.length > 1) {
      return {
        outcomes: [],
        error: new SyncError({
          errorClass: "ambiguous_match",
          message: `${linkedMatches.length} CRM people share the order's email: ${linkedMatches.map((m) => m.crmId).join(", ")}`,
        }),
      };
    }
    if (linkedMatches.length === 1) return { sourceId: linkedMatches[0]!.sourceId, outcomes: [] };
    const guest = guestPersonFromOrder(order, email);
    const outcomes = await writeRecords(this.deps, "person", [guest], ctx);
    return outcomes[0]?.outcome === "failed"
      ? { outcomes, failedSourceId: guest.sourceId }
      : { sourceId: guest.sourceId, outcomes };
  }

  /** A record that cannot be written because a record it depends on failed. */
  private async failDependent(
    entity: string,
    sourceId: string,
    dependsOn: string,
    dependencyId: string,
    ctx: CallContext,
    error?: SyncError,
  ): Promise<void> {
    const details = error?.details ?? {
      errorClass: "unknown" as const,
      message: `waiting for ${dependsOn} ${dependencyId}, which failed to sync`,
    };
    await recordFailure(this.deps, entity, sourceId, details, ctx, { dependsOn, dependencyId });
  }
}
