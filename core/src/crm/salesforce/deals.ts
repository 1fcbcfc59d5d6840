import { z } from "zod";
import type { CartDeal, CartDealStatus } from "../../domain/model";
import { toMajorUnits } from "../../domain/money";
import type { CallContext, WriteOutcome } from "../../ports/crm-outbound";
import type { SalesforceApi } from "./api";
import { upsertCollection } from "./collections";
import { accountExternalId, contactExternalId, orderExternalId, type SObjectBody } from "./mapping";
import { rowsWhereIn } from "./query";

/** A cart is an Opportunity keyed by its deal key (`ct-cart-<cart ID>`) in an External ID field. */
export const opportunityObject = "Opportunity";
export const dealExternalId = "CT_Cart_Key__c";

/** The Opportunity fields the merchant installs for carts, checked by ensureSchema (README.md). */
export const dealFields = [dealExternalId, "CT_Cart_Status__c", "CT_Contact__c", "CT_Order_Record__c", "CT_Order_Number__c", "CT_Currency__c", "CT_Store_Key__c"];

/** CT_Cart_Status__c picklist values: where the cart stands, whatever stage Sales gave the opportunity. */
const cartStatusValues: Record<CartDealStatus, string> = { open: "Open", abandoned: "Abandoned", won: "Ordered", lost: "Lost" };

/** The stage a cart's opportunity is created in: the first open stage of the standard sales process; Sales moves it on from there. */
const openingStage = "Prospecting";
const wonStage = "Closed Won";
const lostStage = "Closed Lost";

/** A new opportunity's expected close date, days after the cart's last change: carts are bought within days or not at all. */
const expectedCloseDays = 7;
const nameMax = 120;
const descriptionMax = 32_000;

/** The UTC calendar day of an instant, `days` later: the form of a Salesforce date field. */
const dayOf = (instant: string, days = 0) => new Date(Date.parse(instant) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * A cart as the fields of its opportunity. The stage and close date are ours
 * only when the opportunity is created and when the cart closes it (won or
 * lost): in between they belong to Sales, and an update leaves them alone.
 * The cart's own status is always on CT_Cart_Status__c.
 */
export function dealBody(deal: CartDeal, exists: boolean): SObjectBody {
  const body: SObjectBody = {
    Name: deal.title.slice(0, nameMax),
    // A currency field holds major units in the org currency; the cart's own currency sits beside it (as on orders).
    Amount: toMajorUnits(deal.total),
    CT_Currency__c: deal.total.currencyCode,
    Description: deal.lineSummary.slice(0, descriptionMax),
    CT_Cart_Status__c: cartStatusValues[deal.status],
    ...(deal.personSourceId ? { CT_Contact__r: { [contactExternalId]: deal.personSourceId } } : {}),
    ...(deal.companySourceId ? { Account: { [accountExternalId]: deal.companySourceId } } : {}),
    ...(deal.storeKey ? { CT_Store_Key__c: deal.storeKey } : {}),
    ...(deal.orderSourceId ? { CT_Order_Record__r: { [orderExternalId]: deal.orderSourceId } } : {}),
    ...(deal.orderNumber ? { CT_Order_Number__c: deal.orderNumber } : {}),
  };
  if (deal.status === "won" || deal.status === "lost") {
    return { ...body, StageName: deal.status === "won" ? wonStage : lostStage, CloseDate: dayOf(deal.statusAt ?? deal.lastActivityAt) };
  }
  return exists ? body : { ...body, StageName: openingStage, CloseDate: dayOf(deal.lastActivityAt, expectedCloseDays) };
}

const existingRow = z.object({ Id: z.string(), [dealExternalId]: z.string().nullable().optional() }).catchall(z.unknown());

/**
 * Upserts each cart's opportunity on its deal key through sObject Collections
 * (200 a call): one query first (per 100 keys) tells which exist, so that
 * an update leaves Sales' stage alone. A concurrent create between the two is
 * still one record (the upsert is keyed); it only starts in the opening stage.
 */
export async function upsertDeals(api: SalesforceApi, deals: CartDeal[], ctx: CallContext): Promise<WriteOutcome[]> {
  if (deals.length === 0) return [];
  const keys = [...new Set(deals.map((d) => d.dealKey))];
  const rows = await rowsWhereIn(api, { select: `Id, ${dealExternalId}`, object: opportunityObject, keyField: dealExternalId }, keys, existingRow, ctx);
  // External IDs compare without case.
  const existing = new Set(rows.flatMap((r) => (r[dealExternalId] ? [r[dealExternalId].toLowerCase()] : [])));
  const items = deals.map((d) => ({ sourceId: d.sourceId, externalId: d.dealKey, body: dealBody(d, existing.has(d.dealKey.toLowerCase())) }));
  return upsertCollection(api, opportunityObject, dealExternalId, items, ctx);
}
