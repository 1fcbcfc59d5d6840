import type { CartDeal } from "../../domain/model";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { idsOf, missingLink, writeResolved, type Resolved } from "./linked-ids";
import { cartDealBody, type ClosingStages } from "./mapping";
import { accountsModule, cartDealsModule, contactsModule, type ModuleSpec, type WriteCall } from "./modules";
import { upsertAll } from "./writes";

/**
 * One deal per cart, upserted on `cf_ct_cart_key` (the cart's deal key:
 * Freshsales' upsert on a unique field, so a redelivery or a concurrent
 * delivery updates the one deal), linked to the contact and sales account
 * the sync wrote for the cart's customer and business unit. Three or more
 * go through bulk_upsert jobs of up to 100, like every other write.
 */
export async function upsertCartDeals(call: WriteCall, deals: CartDeal[], stages: ClosingStages): Promise<WriteOutcome[]> {
  const contacts = await idsOf(call, contactsModule, deals.flatMap((d) => (d.personSourceId ? [d.personSourceId] : [])));
  const units = await idsOf(call, accountsModule, deals.flatMap((d) => (d.companySourceId ? [d.companySourceId] : [])));
  const resolved = deals.map((deal): Resolved => {
    const contact = deal.personSourceId ? contacts.get(deal.personSourceId) : undefined;
    const account = deal.companySourceId ? units.get(deal.companySourceId) : undefined;
    if (deal.personSourceId && !contact) return { refused: missingLink("contact for this cart's customer") };
    if (deal.companySourceId && !account) return { refused: missingLink("sales account for this cart's business unit") };
    if (!contact && !account) return { refused: { errorClass: "validation", message: "the cart names neither a customer nor a business unit to link its deal to" } };
    const links: [ModuleSpec, string][] = [];
    if (deal.personSourceId) links.push([contactsModule, deal.personSourceId]);
    if (deal.companySourceId) links.push([accountsModule, deal.companySourceId]);
    const body = cartDealBody(deal, { contact: contact && Number(contact), account: account && Number(account) }, stages);
    return { item: { sourceId: deal.sourceId, body, identifier: { [cartDealsModule.idField]: deal.dealKey } }, links };
  });
  return writeResolved(call, resolved, (i) => deals[i]!.sourceId, (items) => upsertAll(call, cartDealsModule, items));
}
