import type { CartDeal } from "../../domain/model";
import { formatMoney, toHundredths } from "../../domain/money";
import type { WriteOutcome } from "../../ports/crm-outbound";
import { converge } from "../kit/converge";
import { writeEach, type RecordWrite } from "../kit/record-writer";
import { listAll, removeQuietly, send, type Call } from "./connection";
import { customKey, type CloseSchema } from "./field-names";
import { compact } from "./mapping";
import { contactsOfCustomers, resolveTarget, type KnownContacts } from "./orders";
import { opportunitySchema, type CloseOpportunity } from "./schemas";
import { createdAt } from "./search";

/** What Sales reads on the opportunity: the cart's name, its lines, and why it is abandoned or which order it became. */
function dealNote(deal: CartDeal): string {
  const state =
    deal.status === "abandoned"
      ? `Abandoned cart: no change since ${deal.lastActivityAt}.`
      : deal.status === "won"
        ? `Ordered${deal.orderNumber ? ` as order ${deal.orderNumber}` : ""}.`
        : deal.status === "lost"
          ? "The cart ended without an order."
          : undefined;
  return [deal.title, `Total ${formatMoney(deal.total)}`, deal.lineSummary, state].filter((part) => part && part !== "").join("\n");
}

/**
 * The opportunity's fields: the status of the cart's state, the value in
 * cents (Close's unit for opportunity values), the note, and our custom
 * values (the deal key; the order of a won cart).
 */
export function dealBody(deal: CartDeal, schema: CloseSchema): Record<string, unknown> {
  return compact({
    status_id: schema.dealStatuses[deal.status],
    value: toHundredths(deal.total),
    value_currency: deal.total.currencyCode,
    value_period: "one_time",
    note: dealNote(deal),
    [customKey(schema.deal.dealKey)]: deal.dealKey,
    [customKey(schema.deal.orderId)]: deal.orderSourceId,
    [customKey(schema.deal.orderNumber)]: deal.orderNumber,
  });
}

/**
 * One opportunity per deal key on the customer's lead. Close has no upsert and
 * its search does not cover opportunities: the lead's opportunities are
 * listed and matched on the deal-key field, and concurrent writers converge
 * through the kit (re-check, keep the oldest, delete the others).
 */
async function upsertDeal(call: Call, deal: CartDeal, known: KnownContacts): Promise<RecordWrite> {
  const target = await resolveTarget(call, deal, known);
  const keyField = customKey(call.schema.deal.dealKey);
  const contact = target.contactId ? { contact_id: target.contactId } : {};
  return call.lock.run(`deal:${deal.dealKey}`, async () => {
    const { survivor, created } = await converge<CloseOpportunity>({
      find: async () =>
        (await listAll(call, "/opportunity/", opportunitySchema, { lead_id: target.leadId, _fields: `id,date_created,lead_id,contact_id,status_id,${keyField}` })).filter(
          (o) => o[keyField] === deal.dealKey,
        ),
      create: () => send(call, "POST", "/opportunity/", opportunitySchema, { json: { ...dealBody(deal, call.schema), lead_id: target.leadId, ...contact } }),
      createdAt,
      async remove(duplicate, kept) {
        await removeQuietly(call, `/opportunity/${duplicate.id}/`);
        call.logger.warn("close: removed duplicate cart opportunity", { kept: kept.id, removed: duplicate.id });
      },
      update: (opportunity) => send(call, "PUT", `/opportunity/${opportunity.id}/`, opportunitySchema, { json: { ...dealBody(deal, call.schema), ...contact } }).then(() => undefined),
    });
    return { crmId: survivor.id, created };
  });
}

/** Carts as opportunities, one request or a few each (Close has no batch write); the customers' contacts found with one search per call. */
export async function upsertDeals(call: Call, deals: CartDeal[]): Promise<WriteOutcome[]> {
  const known = await contactsOfCustomers(call, deals);
  return writeEach(deals, (deal) => upsertDeal(call, deal, known));
}
