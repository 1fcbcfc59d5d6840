import { orderActivityKey } from "../../domain/keys";
import type { CartDeal } from "../../domain/model";
import type { RecordWrite } from "../kit/record-writer";
import { type Call, findAll, updateRecord } from "./api";
import { convergeRecord, oldestFirstOrder } from "./converge-record";
import { models, opportunityFields } from "./fields";
import { dealData, noteName } from "./mapping";
import type { Parties, NoteTargetResolver } from "./orders";

/**
 * 1CRM needs an account on every opportunity (SugarCRM heritage). A
 * shopper's cart has no business unit: its opportunity hangs under one
 * account for every shopper, found by this name (created once, converged),
 * and names its contact in `ct_contact_id`.
 */
export const shoppersAccountName = "Online shop customers (commercetools)";

async function shoppersAccount(call: Call): Promise<string> {
  const { survivor } = await convergeRecord(call, {
    model: models.company,
    lock: "company:shoppers",
    filters: { name: shoppersAccountName },
    data: () => ({ name: shoppersAccountName }),
  });
  return survivor.id;
}

/** The note `upsertOrders` wrote for the order the cart became, when it is there yet. */
async function orderNote(call: Call, orderSourceId: string): Promise<string | undefined> {
  const [note] = await findAll(call, models.order, { name: noteName({ activityKey: orderActivityKey(orderSourceId) }) }, ["id", "date_entered"], oldestFirstOrder);
  return note?.id;
}

/**
 * One opportunity per cart, found by `ct_deal_key` and converged (1CRM has
 * no upsert): created or rewritten whole with the cart's amount, stage and
 * flag; a won cart's opportunity is linked to its order's note (and carries
 * the order's ID and number when the note is not there yet).
 */
export async function upsertDeal(call: Call, deal: CartDeal, targets: NoteTargetResolver, shoppers: () => Promise<string>): Promise<RecordWrite> {
  const parties: Parties = { personSourceId: deal.personSourceId, email: deal.email, companySourceId: deal.companySourceId };
  const { contactId, accountId } = await targets(parties);
  const data = dealData(deal, {
    accountId: accountId ?? (await shoppers()),
    contactId,
    orderNoteId: deal.status === "won" && deal.orderSourceId ? await orderNote(call, deal.orderSourceId) : undefined,
  });
  const { survivor, created } = await convergeRecord(call, {
    model: models.deal,
    lock: `deal:${deal.dealKey}`,
    filters: { [opportunityFields.dealKey]: deal.dealKey },
    data: () => data,
    update: (opportunity) => updateRecord(call, models.deal, opportunity.id, data),
  });
  return { crmId: survivor.id, created };
}

/** The shoppers' account once per adapter call. */
export function shoppersAccountOnce(call: Call): () => Promise<string> {
  let account: Promise<string> | undefined;
  return () => (account ??= shoppersAccount(call));
}
