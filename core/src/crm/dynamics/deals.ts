import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { CartDeal } from "../../domain/model";
import { toMajorUnits } from "../../domain/money";
import type { CallContext, WriteOutcome } from "../../ports/crm-outbound";
import type { DataverseApi } from "./api";
import { maxBatchOperations, type BatchOperation } from "./batch";
import { accountOf, contactOf, type DataverseRow, orderOf, tables } from "./mapping";
import { byId, byKey, rowsByValues } from "./odata";
import { type RecordWrites, upsertByKey, writeInBatches } from "./writes";

/** Opportunity statecode: only WinOpportunity and LoseOpportunity leave 0. */
const state = { open: 0, won: 1, lost: 2 } as const;
/**
 * Opportunity statuscode (status reason): In Progress and On Hold are the
 * open state's, Won the won state's, Canceled one of the lost state's. An
 * abandoned cart's opportunity is On Hold: still open, visibly waiting.
 */
const statusReason = { inProgress: 1, onHold: 2, won: 3, canceled: 4 } as const;

/** Columns of opportunity with a length the org enforces and we cut rather than have the deal refused. */
const lengths = { name: 300, description: 2000 };

/** What a cart's opportunity needs beyond Dynamics 365 Sales' own columns (README.md lists them). */
export const dealColumns = ["ct_dealkey", "ct_cartstatus", "ct_storekey", "ct_lastactivityat", "ct_ordernumber", "_ct_commerceorderid_value"];

const defined = (row: DataverseRow): DataverseRow => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined));

/**
 * The opportunity of a cart: its customer (the account for a business unit's
 * cart, else the contact), value in the cart's currency (Money columns hold
 * major units), lines as the description, status as its status reason and
 * `ct_cartstatus`. Every write names an open-state status reason, which
 * Dataverse refuses for a closed opportunity: a late write cannot touch a
 * deal that was won or lost meanwhile.
 */
export function dealBody(deal: CartDeal, currencyId: string, orderWritten: boolean): DataverseRow {
  const customer = deal.companySourceId
    ? { "customerid_account@odata.bind": accountOf(deal.companySourceId) }
    : deal.personSourceId
      ? { "customerid_contact@odata.bind": contactOf(deal.personSourceId) }
      : {};
  return defined({
    name: deal.title.slice(0, lengths.name),
    estimatedvalue: toMajorUnits(deal.total),
    "transactioncurrencyid@odata.bind": byId(tables.currency.entitySet, currencyId),
    ...customer,
    ...(deal.personSourceId ? { "parentcontactid@odata.bind": contactOf(deal.personSourceId) } : {}),
    ...(deal.companySourceId ? { "parentaccountid@odata.bind": accountOf(deal.companySourceId) } : {}),
    description: deal.lineSummary.slice(0, lengths.description),
    statuscode: deal.status === "abandoned" ? statusReason.onHold : statusReason.inProgress,
    ct_cartstatus: deal.status,
    ct_storekey: deal.storeKey,
    ct_lastactivityat: deal.lastActivityAt,
    ct_ordernumber: deal.orderNumber,
    // Bound only to an order row that exists: a won deal must not wait for its order's own sync.
    ...(deal.status === "won" && deal.orderSourceId && orderWritten ? { "ct_commerceorderid@odata.bind": orderOf(deal.orderSourceId) } : {}),
  });
}

/** WinOpportunity / LoseOpportunity with its opportunityclose activity, for a deal that is won or lost (else nothing). */
export function closingAction(deal: CartDeal): BatchOperation | undefined {
  if (deal.status !== "won" && deal.status !== "lost") return undefined;
  const won = deal.status === "won";
  const order = deal.orderNumber ?? deal.orderSourceId;
  return {
    method: "POST",
    path: won ? "/WinOpportunity" : "/LoseOpportunity",
    json: {
      Status: won ? statusReason.won : statusReason.canceled,
      OpportunityClose: defined({
        subject: won ? `Cart ordered${order ? `: order ${order}` : ""}` : "Cart closed without an order",
        "opportunityid@odata.bind": byKey(tables.deal.entitySet, tables.deal.key, deal.dealKey),
        actualrevenue: won ? toMajorUnits(deal.total) : undefined,
        actualend: deal.statusAt ?? deal.lastActivityAt,
      }),
    },
  };
}

const dealRow = z.looseObject({ opportunityid: z.string(), ct_dealkey: z.string().nullable(), statecode: z.number().nullable().optional() });
const orderRow = z.looseObject({ ct_orderid: z.string().nullable() });
const currencyRow = z.looseObject({ transactioncurrencyid: z.string(), isocurrencycode: z.string().nullable() });

type DealState = { crmId: string; closed: boolean };

/** The opportunities of these deal keys as they stand (keys compare without case, as the org's alternate key does). */
async function dealStates(api: DataverseApi, keys: string[], ctx: CallContext): Promise<Map<string, DealState>> {
  const rows = await rowsByValues(api, { entitySet: tables.deal.entitySet, column: tables.deal.key, values: keys, select: ["opportunityid", tables.deal.key, "statecode"] }, dealRow, ctx);
  return new Map(rows.map((r) => [String(r.ct_dealkey).toLowerCase(), { crmId: r.opportunityid, closed: (r.statecode ?? state.open) !== state.open }]));
}

/**
 * Cart deals as opportunities, upserted by `ct_dealkey` in `$batch` calls
 * (each deal one change set: the upsert, and for a won or lost deal the
 * action that closes it, committed together). One query reads the deals'
 * states first: a closed opportunity is left as it is (Dataverse keeps won
 * and lost final; the sync layer has dropped stale versions already). A
 * deal that failed because another writer closed it meanwhile is closed:
 * done.
 */
export function dealWriter(api: DataverseApi) {
  /** transactioncurrency IDs by ISO code: an org's currencies are few and change rarely. */
  const currencies = new Map<string, string>();

  async function currencyIds(codes: string[], ctx: CallContext): Promise<Map<string, string>> {
    const missing = [...new Set(codes)].filter((code) => !currencies.has(code));
    if (missing.length > 0) {
      const c = tables.currency;
      const rows = await rowsByValues(api, { entitySet: c.entitySet, column: c.key, values: missing, select: [c.primaryKey, c.key] }, currencyRow, ctx);
      for (const row of rows) if (row.isocurrencycode) currencies.set(row.isocurrencycode.toUpperCase(), row.transactioncurrencyid);
    }
    return currencies;
  }

  return async function upsertDeals(deals: CartDeal[], ctx: CallContext): Promise<WriteOutcome[]> {
    if (deals.length === 0) return [];
    const states = await dealStates(api, deals.map((d) => d.dealKey), ctx);
    const wonOrders = deals.flatMap((d) => (d.status === "won" && d.orderSourceId ? [d.orderSourceId] : []));
    const ordersWritten = new Set(
      wonOrders.length === 0
        ? []
        : (await rowsByValues(api, { entitySet: tables.order.entitySet, column: tables.order.key, values: wonOrders, select: [tables.order.key] }, orderRow, ctx)).map((r) =>
            String(r.ct_orderid).toLowerCase(),
          ),
    );
    const currencyOf = await currencyIds(deals.map((d) => d.total.currencyCode), ctx);

    const outcomes: (WriteOutcome | undefined)[] = deals.map((deal) => {
      const known = states.get(deal.dealKey.toLowerCase());
      if (known?.closed) return { sourceId: deal.sourceId, ok: true, crmId: known.crmId, created: false };
      if (!currencyOf.has(deal.total.currencyCode)) {
        const error = new SyncError({ errorClass: "validation", message: `Dynamics 365 has no currency ${deal.total.currencyCode}: add it to the environment (Settings → Currencies)` });
        return { sourceId: deal.sourceId, ok: false, error: error.details };
      }
      return undefined;
    });
    const toWrite = deals.flatMap((deal, i) => (outcomes[i] ? [] : [i]));
    const writes: RecordWrites[] = toWrite.map((i) => {
      const deal = deals[i]!;
      const body = dealBody(deal, currencyOf.get(deal.total.currencyCode)!, ordersWritten.has(deal.orderSourceId?.toLowerCase() ?? ""));
      const closing = closingAction(deal);
      return { sourceId: deal.sourceId, table: tables.deal, row: upsertByKey(tables.deal, deal.dealKey, body), ...(closing ? { withRow: [closing] } : {}), followUps: [] };
    });
    const written = await writeInBatches(api, writes, ctx, { maxOperations: maxBatchOperations, parallel: 1 });
    toWrite.forEach((i, k) => (outcomes[i] = written[k]!));

    const refused = deals.flatMap((deal, i) => (outcomes[i]?.ok === false && toWrite.includes(i) ? [deal.dealKey] : []));
    if (refused.length > 0) {
      const now = await dealStates(api, refused, ctx);
      deals.forEach((deal, i) => {
        const closed = now.get(deal.dealKey.toLowerCase());
        if (outcomes[i]?.ok === false && closed?.closed) outcomes[i] = { sourceId: deal.sourceId, ok: true, crmId: closed.crmId, created: false };
      });
    }
    return outcomes as WriteOutcome[];
  };
}
