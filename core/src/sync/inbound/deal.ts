import type { Cart } from "@commercetools/platform-sdk";
import { cartLineActions, customerActions } from "../../commercetools/inbound-actions";
import { typeForNewFields } from "../../commercetools/custom-types";
import { SyncError } from "../../domain/errors";
import { cartLineChanges, dealCartKey, dealLinesBySku, dealStartsCart, inboundTargets, openOpportunityNote } from "../../domain/inbound";
import type { CrmDealSnapshot } from "../../ports/crm-inbound";
import { ConcurrentModificationError } from "../../ports/key-value-store";
import { type ApplyContext, type InboundOutcome, maxDecisions, outcome } from "./context";

/** Runs `attempt` again while commercetools answers a concurrent change; each run re-reads and decides again. */
async function decidedAgain<T>(what: string, attempt: () => Promise<T | "again">): Promise<T> {
  for (let i = 0; i < maxDecisions; i++) {
    try {
      const result = await attempt();
      if (result !== "again") return result;
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError)) throw error;
    }
  }
  throw new SyncError({ errorClass: "conflict", message: `the ${what} kept changing while the CRM change was decided` });
}

/**
 * A deal with products (Salesforce opportunities): one draft cart per deal,
 * created when the deal reaches a configured stage and kept to the deal's
 * products while it is a cart; an ordered cart is left as it is.
 */
async function dealCart(ac: ApplyContext, snapshot: CrmDealSnapshot, lines: { sku: string; quantity: number }[]): Promise<InboundOutcome> {
  const { deps, config } = ac;
  const deal = snapshot.deal;
  const key = dealCartKey(deps.crm, snapshot.crmId);
  const desired = dealLinesBySku(lines);
  return decidedAgain("cart", async () => {
    const cart: Cart | undefined = await deps.commerce.cartByKey(key);
    if (!cart) {
      if (!dealStartsCart(deal.stage, config.inbound.carts.stages)) return outcome("deal", snapshot.crmId, "skipped", { detail: "deal not at a cart stage" });
      if (desired.size === 0) return outcome("deal", snapshot.crmId, "skipped", { detail: "deal has no products" });
      const [person, company] = await Promise.all([
        deal.personCrmId ? deps.links.byCrmId("person", deal.personCrmId) : undefined,
        deal.companyCrmId ? deps.links.byCrmId("company", deal.companyCrmId) : undefined,
      ]);
      if (!person && !company) return outcome("deal", snapshot.crmId, "skipped", { detail: "deal's contact and account are not linked to commercetools" });
      const created = await deps.commerce.createCart({
        key,
        currency: deal.currency ?? config.inbound.carts.currency,
        ...(person ? { customerId: person.value.sourceId } : {}),
        ...(company ? { businessUnit: { typeId: "business-unit", id: company.value.sourceId } } : {}),
        origin: "Merchant",
        lineItems: [...desired].map(([sku, quantity]) => ({ sku, quantity })),
      });
      return outcome("deal", snapshot.crmId, "written", { sourceId: created.id });
    }
    if (cart.cartState !== "Active") return outcome("deal", snapshot.crmId, "skipped", { sourceId: cart.id, detail: `cart is ${cart.cartState}` });
    const current = cart.lineItems.flatMap((l) => (l.variant.sku ? [{ lineItemId: l.id, sku: l.variant.sku, quantity: l.quantity }] : []));
    const changes = cartLineChanges(current, desired);
    if (changes.length === 0) return outcome("deal", snapshot.crmId, "unchanged", { sourceId: cart.id });
    await deps.commerce.updateCart(cart.id, cart.version, cartLineActions(changes));
    return outcome("deal", snapshot.crmId, "written", { sourceId: cart.id });
  });
}

/** A deal without products (Close opportunities): its status, value and currency as a note on the contact's customer. */
async function dealNote(ac: ApplyContext, snapshot: CrmDealSnapshot): Promise<InboundOutcome> {
  const { deps } = ac;
  const personCrmId = snapshot.deal.personCrmId;
  const link = personCrmId ? await deps.links.byCrmId("person", personCrmId) : undefined;
  if (!link) return outcome("deal", snapshot.crmId, "skipped", { detail: "deal's contact is not linked to a customer" });
  const note = openOpportunityNote(snapshot.deal);
  const field = inboundTargets.openOpportunity.slice("custom.".length);
  return decidedAgain("customer", async () => {
    const customer = await deps.commerce.customerWithGroup(link.value.sourceId);
    if (!customer) return outcome("deal", snapshot.crmId, "missing", { detail: "the contact's customer no longer exists" });
    if (customer.custom?.fields[field] === note) return outcome("deal", snapshot.crmId, "unchanged", { sourceId: customer.id });
    const apply = { [inboundTargets.openOpportunity]: note };
    const typeKey = customer.custom ? undefined : typeForNewFields(await ac.types("customer"), "customer", [field])?.key;
    await deps.commerce.updateCustomer(customer.id, customer.version, customerActions(customer, apply, { typeKey, groupIds: new Map() }));
    return outcome("deal", snapshot.crmId, "written", { sourceId: customer.id });
  });
}

export function applyDeal(ac: ApplyContext, snapshot: CrmDealSnapshot): Promise<InboundOutcome> {
  // A deal carrying a commercetools cart's key is the sync's own write of that cart: it never becomes a cart or a note.
  if (snapshot.sourceId) return Promise.resolve(outcome("deal", snapshot.crmId, "skipped", { detail: "the sync's own deal of a commercetools cart" }));
  return snapshot.deal.lines ? dealCart(ac, snapshot, snapshot.deal.lines) : dealNote(ac, snapshot);
}
