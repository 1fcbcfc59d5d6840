import { z } from "zod";
import type { CompanyPath, CrmChange, CrmEntity, CrmInbound, CrmSnapshot, PersonPath } from "../../../ports/crm-inbound";
import type { CallContext } from "../../../ports/crm-outbound";
import { unlessGone } from "../../kit/gone";
import type { DataverseApi } from "../api";
import { tables } from "../mapping";
import { byId, guidPattern, queryPages } from "../odata";

/**
 * The tables behind each canonical entity, their primary keys, and which of
 * their rows polling lists: not the opportunities of carts (they carry a deal
 * key), which are commercetools' and written by us, so never a change to apply.
 */
const sources: Record<CrmEntity, { entitySet: string; primaryKey: string; polled?: string }> = {
  person: { entitySet: tables.contact.entitySet, primaryKey: tables.contact.primaryKey },
  company: { entitySet: tables.account.entitySet, primaryKey: tables.account.primaryKey },
  deal: { entitySet: tables.deal.entitySet, primaryKey: tables.deal.primaryKey, polled: `${tables.deal.key} eq null` },
};

const address = {
  "address.streetLine": "address1_line1",
  "address.city": "address1_city",
  "address.postalCode": "address1_postalcode",
  "address.region": "address1_stateorprovince",
  "address.country": "address1_country",
} as const;
/** Contact columns under the canonical paths of the mapping configuration. */
const personColumns: Record<Exclude<PersonPath, "emailConsent.granted">, string> = { firstName: "firstname", lastName: "lastname", email: "emailaddress1", phone: "telephone1", ...address };
const companyColumns: Record<CompanyPath, string> = { name: "name", email: "emailaddress1", ...address };
/** The follow-up flag (Yes/No) and segments (text, `;` or `,` between them) the admin adds to contact (README.md). */
export const followUpColumn = "ct_followup";
export const segmentsColumn = "ct_segments";

/** A record as the Web API answers it: every column, with lookups' target tables annotated. */
const record = z.looseObject({ modifiedon: z.string() });
type Row = z.infer<typeof record>;
const annotations = { prefer: 'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"' };
const lookupTable = (row: Row, column: string) => row[`${column}@Microsoft.Dynamics.CRM.lookuplogicalname`];

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : null);
const idOf = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
const instant = (value: string) => new Date(Date.parse(value)).toISOString();

function segmentsOf(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return [...new Set(value.split(/[;,]/).map((s) => s.trim()).filter((s) => s !== ""))];
}

function standard<P extends string>(row: Row, columns: Record<P, string>): Partial<Record<P, string | null>> {
  return Object.fromEntries(Object.entries(columns).map(([path, column]) => [path, text(row[column as string])])) as Partial<Record<P, string | null>>;
}

/** Every column a mapping target can name (its logical name), without the answer's annotations. */
const crmFieldsOf = (row: Row) => Object.fromEntries(Object.entries(row).filter(([name]) => !name.includes("@")));

/** statecode of an opportunity: 0 open, 1 won, 2 lost. */
const dealStatus = (statecode: unknown) => (statecode === 1 ? "won" : statecode === 2 ? "lost" : "open");

const lineRow = z.looseObject({ quantity: z.number().nullable().optional(), _productid_value: z.string().nullable().optional() });
const productRow = z.looseObject({ productid: z.string(), productnumber: z.string().nullable().optional() });
const currencyRow = z.looseObject({ isocurrencycode: z.string().nullable().optional() });

/** A deal's products as SKU (the product's number) and quantity; write-in lines (no product) have no SKU and are left out. */
async function dealLines(api: DataverseApi, opportunityId: string, ctx: CallContext) {
  const query = { $select: "quantity,_productid_value", $filter: `_opportunityid_value eq ${opportunityId}`, $orderby: "createdon asc" };
  const { items } = await queryPages(api, { entitySet: "opportunityproducts", query, pageSize: 500 }, lineRow, ctx)(undefined);
  // IDs go into the filter unquoted: only what has the shape of one does.
  const productIds = [...new Set(items.flatMap((l) => (l._productid_value && guidPattern.test(l._productid_value) ? [l._productid_value] : [])))];
  if (productIds.length === 0) return [];
  const products = await queryPages(
    api,
    { entitySet: "products", query: { $select: "productid,productnumber", $filter: productIds.map((id) => `productid eq ${id}`).join(" or ") }, pageSize: 500 },
    productRow,
    ctx,
  )(undefined);
  const skus = new Map(products.items.map((p) => [p.productid, p.productnumber]));
  return items.flatMap((l) => {
    const sku = l._productid_value ? skus.get(l._productid_value) : undefined;
    return sku && l.quantity && l.quantity > 0 ? [{ sku, quantity: Math.round(l.quantity) }] : [];
  });
}

/** `required` with those of `optional` that hold a value: the snapshot schemas take absent fields, not undefined ones. */
function withValues<T extends object, O extends Record<string, unknown>>(required: T, optional: O): T & { [K in keyof O]?: Exclude<O[K], undefined> } {
  return { ...required, ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)) } as T & { [K in keyof O]?: Exclude<O[K], undefined> };
}

async function currencyCode(api: DataverseApi, currencyId: string | undefined, ctx: CallContext): Promise<string | undefined> {
  if (!currencyId) return undefined;
  const found = await unlessGone(api.http.json(ctx, { method: "GET", path: byId("transactioncurrencies", currencyId), query: { $select: "isocurrencycode" } }, currencyRow));
  const code = found?.isocurrencycode;
  return code && /^[A-Z]{3}$/.test(code) ? code : undefined;
}

async function snapshotOf(api: DataverseApi, entity: CrmEntity, crmId: string, row: Row, ctx: CallContext): Promise<CrmSnapshot> {
  const base = { crmId, modifiedAt: instant(row.modifiedon), crmFields: crmFieldsOf(row) };
  switch (entity) {
    case "person":
      return withValues(
        {
          entity,
          ...base,
          // Dataverse keeps an opt-out for bulk email; the canonical record a consent.
          fields: { ...standard(row, personColumns), "emailConsent.granted": row.donotbulkemail !== true },
          followUp: row[followUpColumn] === true,
          segments: segmentsOf(row[segmentsColumn]),
        },
        // parentcustomerid may name a contact: only an account is a company.
        { sourceId: idOf(row[tables.contact.key]), companyCrmId: lookupTable(row, "_parentcustomerid_value") === "account" ? idOf(row._parentcustomerid_value) : undefined },
      );
    case "company":
      return withValues({ entity, ...base, fields: standard(row, companyColumns) }, { sourceId: idOf(row[tables.account.key]) });
    case "deal": {
      const optional = {
        name: text(row.name) ?? undefined,
        stage: text(row.stepname) ?? undefined,
        amount: typeof row.estimatedvalue === "number" ? row.estimatedvalue : undefined,
        currency: await currencyCode(api, idOf(row._transactioncurrencyid_value), ctx),
        personCrmId: idOf(row._parentcontactid_value),
        companyCrmId: idOf(row._parentaccountid_value),
      };
      return { entity, ...base, deal: withValues({ status: dealStatus(row.statecode), lines: await dealLines(api, crmId, ctx) }, optional) };
    }
  }
}

/**
 * Where polling stands: the newest modification time listed, the records
 * listed at exactly that time (Dataverse stamps to the second, so others may
 * still arrive within it), and the next page of a listing under way.
 */
const checkpointSchema = z.object({ since: z.string().optional(), seen: z.array(z.string()), next: z.string().optional() });
type Checkpoint = z.infer<typeof checkpointSchema>;

function readCheckpoint(value: string | undefined): Checkpoint {
  if (value === undefined) return { seen: [] };
  const parsed = checkpointSchema.safeParse((() => {
    try {
      return JSON.parse(value);
    } catch {
      return undefined;
    }
  })());
  // An unreadable checkpoint lists from the beginning: more deliveries (deduplicated downstream), never fewer.
  return parsed.success ? parsed.data : { seen: [] };
}

const changeRow = z.looseObject({ modifiedon: z.string() });
/** Changes listed a call: one page. */
const changesPageSize = 1000;

/** Records read back by ID, changes listed by modifiedon for polling, and contacts born in the CRM adopted. */
export function recordReader(api: DataverseApi): Pick<CrmInbound, "readRecord" | "changesSince" | "checkpointAt" | "adopt"> {
  return {
    async readRecord(entity, crmId, ctx) {
      if (!guidPattern.test(crmId)) return undefined;
      const row = await unlessGone(api.http.json(ctx, { method: "GET", path: byId(sources[entity].entitySet, crmId), headers: annotations }, record));
      return row ? snapshotOf(api, entity, crmId.toLowerCase(), row, ctx) : undefined;
    },

    async changesSince(entity, checkpoint, ctx) {
      const { entitySet, primaryKey, polled } = sources[entity];
      const state = readCheckpoint(checkpoint);
      // Re-rendered rather than spliced in as stored: what goes into the filter unquoted must be a datetime.
      const since = state.since ? `modifiedon ge ${instant(state.since).slice(0, 19)}Z` : undefined;
      const filter = [since, polled].filter((clause) => clause !== undefined).join(" and ");
      const query = { $select: `${primaryKey},modifiedon`, $orderby: `modifiedon asc,${primaryKey} asc`, ...(filter ? { $filter: filter } : {}) };
      const read = queryPages(api, { entitySet, query, pageSize: changesPageSize }, changeRow, ctx);
      let { since: newest, seen } = state;
      const changes: CrmChange[] = [];
      let page = await read(state.next);
      for (;;) {
        for (const row of page.items) {
          const id = String(row[primaryKey]).toLowerCase();
          const modifiedAt = instant(row.modifiedon);
          if (modifiedAt === newest && seen.includes(id)) continue;
          if (modifiedAt !== newest) [newest, seen] = [modifiedAt, []];
          seen = [...seen, id];
          changes.push({ entity, crmId: id, action: "updated", modifiedAt, deliveryId: `${entitySet}:${id}:${modifiedAt}` });
        }
        // A page of records listed before (those of the last second) is passed over here, so a quiet poll ends where it began.
        if (changes.length > 0 || !page.next) break;
        page = await read(page.next);
      }
      const next: Checkpoint = { ...(newest ? { since: newest } : {}), seen, ...(page.next ? { next: page.next } : {}) };
      return { changes, checkpoint: JSON.stringify(next) };
    },

    checkpointAt: (moment) => JSON.stringify({ since: instant(moment), seen: [] }),

    async adopt(_entity, crmId, sourceId, ctx) {
      // If-Match: * updates only: a contact deleted meanwhile is not re-created by this.
      await api.http.send(ctx, { method: "PATCH", path: byId(tables.contact.entitySet, crmId), json: { [tables.contact.key]: sourceId }, headers: { "if-match": "*" } });
    },
  };
}

