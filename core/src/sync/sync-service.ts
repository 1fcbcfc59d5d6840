import type { BusinessUnit, Cart, Customer, Order, Payment } from "@commercetools/platform-sdk";
import { cartDealFromCart, decideDeal, isKnownCart, lostDeal } from "../domain/cart-mapping";
import {
  companyFromBusinessUnit,
  guestPersonFromOrder,
  type MappingOptions,
  orderActivityFromOrder,
  personFromCustomer,
  type PersonContext,
} from "../domain/commerce-mapping";
import { SyncError } from "../domain/errors";
import type { CartDeal, CartDealStatus, Company, OrderActivity, Person, TimelineEntry, WrittenKind } from "../domain/model";
import { orderEventsFrom } from "../domain/order-events";
import { crmCustomerKey } from "../domain/inbound";
import { normaliseEmail } from "../domain/normalise";
import type { CommerceReader, CommerceTypeId } from "../ports/commerce";
import type { CallContext } from "../ports/crm-outbound";
import { ambiguityError, matchGuest } from "./guest-match";
import { type CartSettings, defaultCartSettings } from "./cart-settings";
import { correlationOf, type RecordOutcome, recordFailure, type WriterDeps, writeRecords } from "./record-writer";

export type SyncDeps = WriterDeps & { commerce: CommerceReader; mapping?: MappingOptions; carts?: CartSettings };

/**
 * The commercetools resources the sync writes to the CRM, and the records
 * they become; a payment is written as the timeline of the orders that list it.
 */
export type SyncedTypeId = Extract<CommerceTypeId, "customer" | "business-unit" | "order" | "cart" | "payment">;
export const entityOfType: Record<SyncedTypeId, WrittenKind> = { customer: "person", "business-unit": "company", order: "order", cart: "deal", payment: "order" };

/** Who placed an order: the person written (or found) for it, or why there is none. */
type OrderPerson = { sourceId?: string; failedSourceId?: string; error?: SyncError };

/**
 * Records written because another record needs them (an order's person, a
 * unit's associates) carry the correlation ID of the request that needed
 * them, unless they were asked for themselves.
 */
function withDependents(ctx: CallContext, pairs: [dependentId: string, ownerId: string][]): CallContext {
  if (!ctx.correlationIds) return ctx;
  const ids = new Map(ctx.correlationIds);
  for (const [dependent, owner] of pairs) if (!ids.has(dependent) && ids.has(owner)) ids.set(dependent, correlationOf(ctx, owner));
  return { ...ctx, correlationIds: ids };
}

/**
 * The sync use cases, the same whoever calls them (a batch of Pub/Sub
 * messages, a job page, a replay): read current state, map, write what
 * changed. Each returns the outcome of every record it touched. Every write
 * can read its records again (`reread`): a record another instance wrote at
 * the same time is written once more from current state (record-writer.ts).
 */
export class SyncService {
  constructor(readonly deps: SyncDeps) {}

  /**
   * The resources these IDs name, read with one query per 100, synced
   * together; an ID commercetools does not know is "missing".
   */
  async syncByIds(typeId: SyncedTypeId, ids: string[], ctx: CallContext): Promise<RecordOutcome[]> {
    const unique = [...new Set(ids)];
    // A payment names no record of its own: its orders are read by it and written with their timeline.
    if (typeId === "payment") return this.syncOrders(await this.deps.commerce.ordersOfPayments(unique), ctx);
    const found = await this.deps.commerce.getMany(typeId, unique);
    const absent = unique.filter((id) => !found.has(id));
    // A deleted cart's deal is closed, not left open.
    if (typeId === "cart") return this.syncCarts(unique.filter((id) => found.has(id)).map((id) => found.get(id) as Cart), ctx, absent);
    const missing = absent.map((id): RecordOutcome => ({ entity: entityOfType[typeId], sourceId: id, outcome: "missing" }));
    const present = unique.filter((id) => found.has(id));
    if (present.length === 0) return missing;
    const resources = present.map((id) => found.get(id)!);
    const written =
      typeId === "customer"
        ? await this.syncCustomers(resources as Customer[], ctx)
        : typeId === "order"
          ? await this.syncOrders(resources as Order[], ctx)
          : await this.syncBusinessUnits(resources as BusinessUnit[], ctx);
    return [...missing, ...written];
  }

  /**
   * Carts as deals (cart-mapping.ts): anonymous carts and carts below the
   * threshold that were never written cost no CRM call; an ordered cart is
   * closed through its order (the order is written first, then its deal
   * linked to it); `goneIds` are carts commercetools no longer has, whose
   * open deals are closed as lost.
   */
  async syncCarts(carts: Cart[], ctx: CallContext, goneIds: string[] = []): Promise<RecordOutcome[]> {
    const skipped = (id: string): RecordOutcome => ({ entity: "deal", sourceId: id, outcome: "skipped" });
    const outcomes: RecordOutcome[] = carts.filter((c) => !isKnownCart(c)).map((c) => skipped(c.id));
    const known = carts.filter(isKnownCart);
    const ordered = known.filter((c) => c.cartState === "Ordered");
    const orders = ordered.length ? await this.deps.commerce.ordersOfCarts(ordered.map((c) => c.id)) : new Map<string, Order>();
    if (orders.size) {
      const byOrder = [...orders].map(([cartId, order]): [string, string] => [order.id, cartId]);
      outcomes.push(...(await this.syncOrders([...orders.values()], withDependents(ctx, byOrder))));
    }
    outcomes.push(...(await this.writeDeals(known.filter((c) => !orders.has(c.id)), orders, ctx)));
    if (goneIds.length) outcomes.push(...(await this.closeGoneDeals(goneIds, ctx)));
    return outcomes;
  }

  /** The deals of these carts, decided against what was last written (cart-mapping.ts `decideDeal`). */
  private async dealsFor(carts: Cart[], orders: Map<string, Order>): Promise<{ write: CartDeal[]; outcomes: RecordOutcome[] }> {
    const settings = this.deps.carts ?? defaultCartSettings;
    const unitIds = await this.unitIdsByKey(carts.map((c) => c.businessUnit?.key));
    const links = await this.deps.links.getMany("deal", carts.map((c) => c.id));
    const now = this.deps.clock.now();
    const write: CartDeal[] = [];
    const outcomes: RecordOutcome[] = [];
    for (const cart of carts) {
      const order = orders.get(cart.id);
      const deal = cartDealFromCart(
        cart,
        {
          personSourceId: cart.customerId,
          companySourceId: cart.businessUnit ? unitIds.get(cart.businessUnit.key) : undefined,
          order: order && { id: order.id, orderNumber: order.orderNumber, createdAt: order.createdAt },
          now,
          abandonedAfterMs: settings.abandonedAfterMs,
        },
        this.deps.mapping,
      );
      const link = links.get(cart.id)?.value;
      const decision = decideDeal(deal, link?.written.status as CartDealStatus | undefined, settings.threshold);
      if (decision.kind === "write") write.push(decision.deal);
      else outcomes.push({ entity: "deal", sourceId: cart.id, outcome: decision.kind === "skip" ? "skipped" : "unchanged", crmId: link?.crmId });
    }
    return { write, outcomes };
  }

  /** Deals of carts, after their people and companies (written first when not linked yet). */
  private async writeDeals(carts: Cart[], orders: Map<string, Order>, ctx: CallContext): Promise<RecordOutcome[]> {
    if (carts.length === 0) return [];
    const { write, outcomes } = await this.dealsFor(carts, orders);
    if (write.length === 0) return outcomes;
    const owners = write.flatMap((d) => [d.personSourceId, d.companySourceId].filter((id): id is string => Boolean(id)).map((id): [string, string] => [id, d.sourceId]));
    const depCtx = withDependents(ctx, owners);
    const prior = [...(await this.ensureLinkedUnits([...new Set(write.map((d) => d.companySourceId).filter((id): id is string => Boolean(id)))], depCtx))];
    prior.push(...(await this.ensureLinkedPeople(write.map((d) => d.personSourceId).filter((id): id is string => Boolean(id)), depCtx)));
    outcomes.push(...prior);
    const unwritable = new Set(prior.filter((o) => o.outcome === "failed" || o.outcome === "missing").map((o) => o.sourceId));
    const ready: CartDeal[] = [];
    for (const deal of write) {
      const blocker = [deal.personSourceId, deal.companySourceId].find((id) => id && unwritable.has(id));
      if (!blocker) ready.push(deal);
      else {
        await this.failDependent("deal", deal.sourceId, blocker === deal.personSourceId ? "person" : "company", blocker, ctx);
        outcomes.push({ entity: "deal", sourceId: deal.sourceId, outcome: "failed" });
      }
    }
    const reread = async (ids: string[]) => {
      const current = [...(await this.deps.commerce.getMany("cart", ids)).values()];
      const ordered = current.filter((c) => c.cartState === "Ordered").map((c) => c.id);
      return (await this.dealsFor(current, ordered.length ? await this.deps.commerce.ordersOfCarts(ordered) : new Map())).write;
    };
    outcomes.push(...(await writeRecords(this.deps, "deal", ready, ctx, { reread })));
    return outcomes;
  }

  /** Deals of deleted carts: their last written values, closed as lost; a closed deal stays as it is. */
  private async closeGoneDeals(ids: string[], ctx: CallContext): Promise<RecordOutcome[]> {
    const links = await this.deps.links.getMany("deal", ids);
    const at = this.deps.clock.now().toISOString();
    const outcomes: RecordOutcome[] = [];
    const lost: CartDeal[] = [];
    for (const id of ids) {
      const link = links.get(id)?.value;
      const written = link?.written as Omit<CartDeal, "sourceVersion"> | undefined;
      if (!link || !written || written.status === "won" || written.status === "lost") outcomes.push({ entity: "deal", sourceId: id, outcome: "missing", crmId: link?.crmId });
      else lost.push(lostDeal(written, link.sourceVersion + 1, at));
    }
    if (lost.length) outcomes.push(...(await writeRecords(this.deps, "deal", lost, ctx, { reread: async () => lost })));
    return outcomes;
  }

  /** People not linked yet, read and written (with their companies); a customer commercetools no longer has is "missing". */
  private async ensureLinkedPeople(ids: string[], ctx: CallContext): Promise<RecordOutcome[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const linked = await this.deps.links.getMany("person", unique);
    const unlinked = unique.filter((id) => !linked.has(id));
    if (unlinked.length === 0) return [];
    const customers = await this.deps.commerce.getMany("customer", unlinked);
    const missing = unlinked.filter((id) => !customers.has(id)).map((id): RecordOutcome => ({ entity: "person", sourceId: id, outcome: "missing" }));
    return [...missing, ...(customers.size ? await this.syncCustomers([...customers.values()], ctx) : [])];
  }

  /**
   * After orders were written: the timeline entries of their transitions
   * (order-events.ts), from the orders and their payments (one query per 100
   * payments). Entries already recorded cost no CRM call.
   */
  private async recordTimelines(orders: { order: Order; related: { personSourceId?: string; companySourceId?: string } }[], ctx: CallContext): Promise<RecordOutcome[]> {
    if (orders.length === 0) return [];
    const paymentIds = orders.flatMap(({ order }) => order.paymentInfo?.payments.map((p) => p.id) ?? []);
    const payments = paymentIds.length ? await this.deps.commerce.getMany("payment", paymentIds) : new Map<string, Payment>();
    const events = orders.flatMap(({ order, related }) =>
      orderEventsFrom(order, (order.paymentInfo?.payments ?? []).map((p) => payments.get(p.id)).filter((p): p is Payment => Boolean(p)), related),
    );
    if (events.length === 0) return [];
    const recorded = await this.deps.links.getMany("order-event", events.map((e) => e.sourceId));
    const entries = events.filter((e) => !recorded.has(e.sourceId)).map((e): TimelineEntry => ({ ...e, sourceVersion: 0 }));
    if (entries.length === 0) return [];
    const ctxOf = withDependents(ctx, entries.map((e): [string, string] => [e.sourceId, e.orderSourceId]));
    // A transition is a fact: what was derived is its current state.
    return writeRecords(this.deps, "order-event", entries, ctxOf, { reread: async (ids) => entries.filter((e) => ids.includes(e.sourceId)) });
  }

  /** The deals of the carts these orders came from, closed as won once the orders are in the CRM. */
  private async closeDealsOfOrders(orders: Order[], ctx: CallContext): Promise<RecordOutcome[]> {
    const fromCarts = orders.filter((o) => o.cart);
    if (fromCarts.length === 0) return [];
    const carts = await this.deps.commerce.getMany("cart", fromCarts.map((o) => o.cart!.id));
    const ordersByCart = new Map(fromCarts.map((o) => [o.cart!.id, o]));
    const known = [...carts.values()].filter(isKnownCart);
    return this.writeDeals(known, ordersByCart, withDependents(ctx, fromCarts.map((o): [string, string] => [o.cart!.id, o.id])));
  }

  syncCustomer(id: string, ctx: CallContext): Promise<RecordOutcome[]> {
    return this.syncByIds("customer", [id], ctx);
  }

  syncBusinessUnit(id: string, ctx: CallContext): Promise<RecordOutcome[]> {
    return this.syncByIds("business-unit", [id], ctx);
  }

  syncOrder(id: string, ctx: CallContext): Promise<RecordOutcome[]> {
    return this.syncByIds("order", [id], ctx);
  }

  /** People for many customers; their companies are written first where not yet linked. */
  async syncCustomers(all: Customer[], ctx: CallContext, stats = true): Promise<RecordOutcome[]> {
    const adopting = await this.beingAdopted(all);
    const customers = all.filter((c) => !adopting.has(c.id));
    const people = await this.peopleFor(customers, stats);
    const prior: RecordOutcome[] = [];
    prior.push(...(await this.ensureCompanies(people, ctx)));
    const failedCompanies = new Set(prior.filter((o) => o.outcome === "failed").map((o) => o.sourceId));
    const blocked = people.filter((p) => p.companySourceId && failedCompanies.has(p.companySourceId));
    for (const person of blocked) await this.failDependent("person", person.sourceId, "company", person.companySourceId!, ctx);
    const ready = people.filter((p) => !blocked.includes(p));
    const written = await writeRecords(this.deps, "person", ready, ctx, {
      reread: async (ids) => this.peopleFor([...(await this.deps.commerce.getMany("customer", ids)).values()], stats),
    });
    return [
      ...[...adopting].map((id): RecordOutcome => ({ entity: "person", sourceId: id, outcome: "skipped" })),
      ...prior,
      ...blocked.map((p): RecordOutcome => ({ entity: "person", sourceId: p.sourceId, outcome: "failed" })),
      ...written,
    ];
  }

  /**
   * Customers the inbound side is creating for a CRM contact right now (keyed
   * `crm-<crm>-<contact ID>`, no link yet): until it has marked the contact
   * with the customer's ID and saved the link, an upsert on that ID would
   * create a second contact beside the one the customer came from. The inbound
   * side saves the link next; the contact already holds what the customer
   * was made of, and the customer's next change (or the job's delta) writes it.
   */
  private async beingAdopted(customers: Customer[]): Promise<Set<string>> {
    const prefix = crmCustomerKey(this.deps.crm.name, "");
    const keyed = customers.filter((c) => c.key?.startsWith(prefix)).map((c) => c.id);
    if (keyed.length === 0) return new Set();
    const links = await this.deps.links.getMany("person", keyed);
    return new Set(keyed.filter((id) => !links.has(id)));
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

  /** Companies (parents first), then their associates as people of the unit. */
  async syncBusinessUnits(units: BusinessUnit[], ctx: CallContext): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    const companies = await this.companies(units);
    outcomes.push(...(await this.ensureParents(companies, ctx)));
    const written = await writeRecords(this.deps, "company", companies, ctx, { reread: (ids) => this.rereadCompanies(ids) });
    outcomes.push(...written);
    const associates = units
      .filter((u) => written.find((o) => o.sourceId === u.id)?.outcome !== "failed")
      .flatMap((u) => u.associates.map((a): [string, string] => [a.customer.id, u.id]));
    const associateIds = [...new Set(associates.map(([customerId]) => customerId))];
    const customers = associateIds.length ? await this.deps.commerce.getMany("customer", associateIds) : new Map<string, Customer>();
    if (customers.size) outcomes.push(...(await this.syncCustomers([...customers.values()], withDependents(ctx, associates))));
    return outcomes;
  }

  /** Orders, after the people who placed them (re-synced together: their purchase figures changed). */
  async syncOrders(orders: Order[], ctx: CallContext): Promise<RecordOutcome[]> {
    const { outcomes, personOf } = await this.peopleOfOrders(orders, ctx);
    const unitIds = await this.unitIdsByKey(orders.map((o) => o.businessUnit?.key));
    const activities: OrderActivity[] = [];
    for (const order of orders) {
      const person = personOf.get(order.id)!;
      if (!person.sourceId) {
        await this.failDependent("order", order.id, "person", person.failedSourceId ?? "unknown", ctx, person.error);
        outcomes.push({ entity: "order", sourceId: order.id, outcome: "failed" });
        continue;
      }
      const companySourceId = order.businessUnit ? unitIds.get(order.businessUnit.key) : undefined;
      activities.push(orderActivityFromOrder(order, { personSourceId: person.sourceId, companySourceId }, this.deps.mapping));
    }
    const related = new Map(activities.map((a) => [a.sourceId, { personSourceId: a.personSourceId, companySourceId: a.companySourceId }]));
    const reread = async (ids: string[]) =>
      [...(await this.deps.commerce.getMany("order", ids)).values()].map((order) => orderActivityFromOrder(order, related.get(order.id)!, this.deps.mapping));
    const written = await writeRecords(this.deps, "order", activities, ctx, { reread });
    outcomes.push(...written);
    // Timeline entries and won deals link to the order record: only orders now in the CRM get them.
    const inCrm = new Set(written.filter((o) => o.outcome === "written" || o.outcome === "unchanged").map((o) => o.sourceId));
    const placed = orders.filter((o) => inCrm.has(o.id));
    outcomes.push(...(await this.recordTimelines(placed.map((order) => ({ order, related: related.get(order.id)! })), ctx)));
    outcomes.push(...(await this.closeDealsOfOrders(placed, ctx)));
    return outcomes;
  }

  /**
   * The person of each order: registered customers read and written together
   * (one query, one write for the lot); guests matched by email one by one,
   * as are customers commercetools no longer has.
   */
  private async peopleOfOrders(orders: Order[], ctx: CallContext): Promise<{ outcomes: RecordOutcome[]; personOf: Map<string, OrderPerson> }> {
    const outcomes: RecordOutcome[] = [];
    const personOf = new Map<string, OrderPerson>();
    const placedBy = orders.filter((o) => o.customerId).map((o): [string, string] => [o.customerId!, o.id]);
    const customerIds = [...new Set(placedBy.map(([customerId]) => customerId))];
    const customers = customerIds.length ? await this.deps.commerce.getMany("customer", customerIds) : new Map<string, Customer>();
    const written = customers.size ? await this.syncCustomers([...customers.values()], withDependents(ctx, placedBy)) : [];
    outcomes.push(...written);
    for (const order of orders) {
      const own = order.customerId ? written.find((o) => o.entity === "person" && o.sourceId === order.customerId) : undefined;
      if (own && own.outcome !== "failed" && own.outcome !== "missing") personOf.set(order.id, { sourceId: order.customerId });
      else if (own?.outcome === "failed") personOf.set(order.id, { failedSourceId: order.customerId });
      else {
        const guest = await this.guestOfOrder(order, ctx);
        outcomes.push(...guest.outcomes);
        personOf.set(order.id, guest);
      }
    }
    return { outcomes, personOf };
  }

  /** A guest order's person: matched by the ordered identity rules (guest-match.ts), or written as a guest. */
  private async guestOfOrder(order: Order, ctx: CallContext): Promise<OrderPerson & { outcomes: RecordOutcome[] }> {
    const email = normaliseEmail(order.customerEmail);
    if (!email) {
      return {
        outcomes: [],
        error: new SyncError({ errorClass: "validation", message: "order has neither a customer nor a valid customer email" }),
      };
    }
    let match;
    try {
      match = await matchGuest(this.deps, email, (await this.deps.model?.config())?.matching, ctx);
    } catch (error) {
      // The CRM could not be asked (its failure, not the batch's): this order waits in the failure store.
      if (error instanceof SyncError) return { outcomes: [], error };
      throw error;
    }
    // Several candidates go to review, never merged.
    if (match.kind === "ambiguous") return { outcomes: [], error: ambiguityError(match) };
    if (match.kind === "matched" && match.candidate.sourceId) return { sourceId: match.candidate.sourceId, outcomes: [] };
    const guest = guestPersonFromOrder(order, email);
    // A guest is known only through this order: its current state is the same record.
    const outcomes = await writeRecords(this.deps, "person", [guest], withDependents(ctx, [[guest.sourceId, order.id]]), { reread: async () => [guest] });
    return outcomes[0]?.outcome === "failed" ? { outcomes, failedSourceId: guest.sourceId } : { sourceId: guest.sourceId, outcomes };
  }

  /** Business unit IDs by key, one read per distinct key. */
  private async unitIdsByKey(keys: (string | undefined)[]): Promise<Map<string, string | undefined>> {
    const ids = new Map<string, string | undefined>();
    for (const key of new Set(keys.filter((k): k is string => Boolean(k)))) ids.set(key, (await this.deps.commerce.businessUnitByKey(key))?.id);
    return ids;
  }

  /** The companies these units map to, without writing them (reconciliation compares and repairs them). */
  async companies(units: BusinessUnit[]): Promise<Company[]> {
    const parentIds = await this.unitIdsByKey(units.map((u) => (u.unitType === "Division" ? u.parentUnit?.key : undefined)));
    return units.map((unit) => companyFromBusinessUnit(unit, unit.unitType === "Division" && unit.parentUnit ? parentIds.get(unit.parentUnit.key) : undefined));
  }

  private async rereadCompanies(ids: string[]): Promise<Company[]> {
    return this.companies([...(await this.deps.commerce.getMany("business-unit", ids)).values()]);
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

  /** Units not linked yet, read together and written parents first (a parent's own parent before it). */
  private async ensureLinkedUnits(ids: string[], ctx: CallContext): Promise<RecordOutcome[]> {
    if (ids.length === 0) return [];
    const linked = await this.deps.links.getMany("company", ids);
    const missing = ids.filter((id) => !linked.has(id));
    if (missing.length === 0) return [];
    const companies = await this.rereadCompanies(missing);
    const outcomes = await this.ensureParents(companies, ctx);
    outcomes.push(...(await writeRecords(this.deps, "company", companies, ctx, { reread: (again) => this.rereadCompanies(again) })));
    return outcomes;
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
