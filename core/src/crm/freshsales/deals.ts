import { SyncError } from "../../domain/errors";
import type { OrderActivity } from "../../domain/model";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { inPool } from "../../pool";
import { idsOf, missingLink, writeResolved, type Resolved } from "./linked-ids";
import { dealBody, type ClosingStages } from "./mapping";
import { accountsModule, contactsModule, dealsModule, type ModuleSpec, type WriteCall } from "./modules";
import { upsertAll, upsertOne } from "./writes";

/**
 * The contacts of the orders' customers. One Freshsales does not show yet
 * (orders may arrive before their customer, or before search has indexed
 * it) is upserted minimal, with the order's email, on the customer's ID:
 * the customer's own sync fills in the rest.
 */
async function contactsOf(call: WriteCall, orders: OrderActivity[]): Promise<Map<string, string>> {
  const ids = await idsOf(call, contactsModule, orders.flatMap((o) => (o.personSourceId ? [o.personSourceId] : [])));
  const placeholders = new Map(orders.filter((o) => o.personSourceId && o.email && !ids.has(o.personSourceId)).map((o) => [o.personSourceId!, o.email!]));
  await inPool([...placeholders], 1, async ([sourceId, email]) => {
    try {
      const { crmId } = await upsertOne(call, contactsModule, { sourceId, body: { email, custom_field: { [contactsModule.idField]: sourceId } } });
      ids.set(sourceId, crmId);
      call.known.set("contacts", sourceId, crmId);
    } catch (error) {
      // Refused (the email is another contact's): the order then waits for its customer's own contact.
      if (!(error instanceof SyncError && error.errorClass === "validation")) throw error;
    }
  });
  return ids;
}

/** One deal per order, upserted on `cf_ct_order_id`, linked to its customer's contact and its unit's sales account. */
export async function upsertOrders(call: WriteCall, orders: OrderActivity[], stages: ClosingStages): Promise<WriteOutcome[]> {
  const contacts = await contactsOf(call, orders);
  const units = await idsOf(call, accountsModule, orders.flatMap((o) => (o.companySourceId ? [o.companySourceId] : [])));
  const resolved = orders.map((order): Resolved => {
    const contact = order.personSourceId ? contacts.get(order.personSourceId) : undefined;
    const account = order.companySourceId ? units.get(order.companySourceId) : undefined;
    if (order.personSourceId && !contact) return { refused: missingLink("contact for this order's customer") };
    if (order.companySourceId && !account) return { refused: missingLink("sales account for this order's business unit") };
    if (!contact && !account) return { refused: { errorClass: "validation", message: "the order names neither a customer nor a business unit to link its deal to" } };
    const links: [ModuleSpec, string][] = [];
    if (order.personSourceId) links.push([contactsModule, order.personSourceId]);
    if (order.companySourceId) links.push([accountsModule, order.companySourceId]);
    return { item: { sourceId: order.sourceId, body: dealBody(order, { contact: contact && Number(contact), account: account && Number(account) }, stages) }, links };
  });
  return writeResolved(call, resolved, (i) => orders[i]!.sourceId, (items) => upsertAll(call, dealsModule, items));
}
