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
import type { CallContext } from "../ports/crm-outbound";
import { ambiguityError, matchGuest } from "./guest-match";
import { type RecordOutcome, recordFailure, type WriterDeps, writeRecords } from "./record-writer";

export type SyncDeps = WriterDeps & { commerce: CommerceReader; mapping?: MappingOptions };

/**
 * The sync use cases, the same whoever calls them (a Pub/Sub message, a job
 * page, a replay): read current state, map, write what changed. Each returns
 * the outcome of every record it touched, the requested one last.
 */
export class SyncService {
  constructor(readonly deps: SyncDeps) {}

  async syncCustomer(id: string, ctx: CallContext): Promise<RecordOutcome[]> {
    const customer = await this.deps.commerce.get("customer", id);
    if (!customer) return [{ entity: "person", sourceId: id, outcome: "missing" }];
    return this.syncCustomers([customer], ctx);
  }

  /** People for many customers; their companies are written first where not yet linked. */
  async syncCustomers(customers: Customer[], ctx: CallContext, stats = true): Promise<RecordOutcome[]> {
    const people = await this.peopleFor(customers, stats);
    const prior: RecordOutcome[] = [];
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

  /** The people these customers map to, without writing them (the job's bulk backfill writes them itself). */
  async peopleFor(customers: Customer[], stats = true): Promise<Person[]> {
    const people: Person[] = [];
    const contexts = await this.personContexts(customers, stats);
    for (const customer of customers) {
      const context = contexts.get(customer.id) ?? (await this.personContext(customer, stats));
      people.push(personFromCustomer(customer, context));
    }
    return people;
  }

  async syncBusinessUnit(id: string, ctx: CallContext): Promise<RecordOutcome[]> {
    const unit = await this.deps.commerce.get("business-unit", id);
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

  async syncOrder(id: string, ctx: CallContext): Promise<RecordOutcome[]> {
    const order = await this.deps.commerce.get("order", id);
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

  /**
   * Contexts of many customers in O(1) commercetools calls per page (job pages
   * of hundreds), when the reader has the batch forms; empty map otherwise.
   */
  private async personContexts(customers: Customer[], withStats: boolean): Promise<Map<string, PersonContext>> {
    const reader = this.deps.commerce;
    const contexts = new Map<string, PersonContext>();
    if (customers.length < 2 || !reader.businessUnitsOfAssociates || (withStats && !reader.purchaseStatsMany)) return contexts;
    const ids = customers.map((c) => c.id);
    const [stats, units] = await Promise.all([
      withStats ? reader.purchaseStatsMany!(ids) : undefined,
      reader.businessUnitsOfAssociates(ids),
    ]);
    for (const customer of customers) {
      contexts.set(customer.id, this.contextFrom(customer, stats?.get(customer.id), units.get(customer.id) ?? []));
    }
    return contexts;
  }

  private async personContext(customer: Customer, withStats: boolean): Promise<PersonContext> {
    const [stats, units] = await Promise.all([
      withStats ? this.deps.commerce.purchaseStats(customer.id) : undefined,
      this.deps.commerce.businessUnitsOfAssociate(customer.id),
    ]);
    return this.contextFrom(customer, stats, units);
  }

  private contextFrom(customer: Customer, stats: PersonContext["stats"], units: BusinessUnit[]): PersonContext {
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
    // Ordered identity rules (guest-match.ts); several candidates go to review, never merged.
    const match = await matchGuest(this.deps, email, (await this.deps.model?.config())?.matching, ctx);
    if (match.kind === "ambiguous") return { outcomes: [], error: ambiguityError(match) };
    if (match.kind === "matched" && match.candidate.sourceId) return { sourceId: match.candidate.sourceId, outcomes: [] };
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
