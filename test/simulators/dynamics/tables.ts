/**
 * The tables of the simulated Dataverse organisation, as data: what a
 * customised org holds once an admin has done the set-up the connector's
 * README describes (alternate keys, the order table, the ct_ columns), plus
 * the standard columns the connector and its tests read.
 */
export type ColumnType =
  | { kind: "string"; maxLength: number }
  | { kind: "boolean" }
  | { kind: "integer" }
  | { kind: "decimal" }
  | { kind: "datetime" }
  /** Date only: `2026-11-20`. */
  | { kind: "date" }
  | { kind: "guid" };

/** A lookup column: written through its navigation properties (`<navigation>@odata.bind`), read as `_<column>_value`. */
export type LookupDef = {
  column: string;
  /** Navigation property → the table it points at (polymorphic lookups have several). */
  targets: Record<string, string>;
};

export type TableDef = {
  logicalName: string;
  entitySet: string;
  primaryKey: string;
  /** Columns of the table's one alternate key (the simulator supports single-column keys). */
  alternateKey?: string;
  columns: Record<string, ColumnType>;
  lookups: LookupDef[];
  /**
   * Status reasons (statuscode) by state (statecode), where a write may pick
   * one of its state's reasons; a table without them keeps statuscode to
   * itself.
   */
  statusReasons?: Record<number, number[]>;
  /** Columns Dataverse computes on every write (contact `fullname`). */
  computed?: (row: Record<string, unknown>) => Record<string, unknown>;
};

const text = (maxLength: number): ColumnType => ({ kind: "string", maxLength });
const bool: ColumnType = { kind: "boolean" };
const integer: ColumnType = { kind: "integer" };
const decimal: ColumnType = { kind: "decimal" };
const datetime: ColumnType = { kind: "datetime" };
const date: ColumnType = { kind: "date" };

/** Address columns as every Dataverse table with an address has them (lengths as in a new org). */
const address1 = {
  address1_line1: text(250),
  address1_city: text(80),
  address1_postalcode: text(20),
  address1_stateorprovince: text(50),
  address1_country: text(80),
};

const contact: TableDef = {
  logicalName: "contact",
  entitySet: "contacts",
  primaryKey: "contactid",
  alternateKey: "ct_customerid",
  columns: {
    fullname: text(160),
    firstname: text(50),
    lastname: text(50),
    emailaddress1: text(100),
    telephone1: text(50),
    mobilephone: text(50),
    ...address1,
    donotbulkemail: bool,
    donotemail: bool,
    ct_customerid: text(100),
    ct_roles: text(500),
    ct_locale: text(20),
    ct_storekeys: text(1000),
    ct_customergroup: text(100),
    ct_emailconsentat: datetime,
    ct_smsconsent: bool,
    ct_smsconsentat: datetime,
    ct_lastpurchasedate: date,
    ct_ordercount: integer,
    ct_lifetimevalue: decimal,
    ct_lifetimevaluecurrency: text(3),
    ct_followup: bool,
    ct_segments: text(1000),
    // Two columns the merchant's admin added with their own publisher's prefix (the sync-model suite maps onto them).
    new_signupchannel: text(100),
    new_loyaltytier: text(100),
  },
  lookups: [{ column: "parentcustomerid", targets: { parentcustomerid_account: "account", parentcustomerid_contact: "contact" } }],
  computed: (row) => ({ fullname: [row.firstname, row.lastname].filter((v) => typeof v === "string" && v !== "").join(" ") || null }),
};

const account: TableDef = {
  logicalName: "account",
  entitySet: "accounts",
  primaryKey: "accountid",
  alternateKey: "ct_businessunitid",
  columns: {
    name: text(160),
    emailaddress1: text(100),
    telephone1: text(50),
    ...address1,
    ct_businessunitid: text(100),
    ct_businessunitkey: text(256),
    ct_unittype: text(20),
    ct_storekeys: text(1000),
  },
  lookups: [{ column: "parentaccountid", targets: { parentaccountid: "account" } }],
};

/**
 * The order table. Its logical name is not `ct_order`: a custom table's
 * primary key is `<logical name>id`, which would take the name the alternate
 * key needs. The admin sets the entity set name to `ct_orders`.
 */
const order: TableDef = {
  logicalName: "ct_commerceorder",
  entitySet: "ct_orders",
  primaryKey: "ct_commerceorderid",
  alternateKey: "ct_orderid",
  columns: {
    ct_name: text(100),
    ct_orderid: text(100),
    ct_ordernumber: text(100),
    ct_total: decimal,
    ct_currency: text(3),
    ct_orderstate: text(50),
    ct_paymentstate: text(50),
    ct_shipmentstate: text(50),
    ct_linesummary: text(4000),
    ct_orderedat: datetime,
    ct_storekey: text(256),
  },
  lookups: [
    { column: "ct_contactid", targets: { ct_contactid: "contact" } },
    { column: "ct_accountid", targets: { ct_accountid: "account" } },
  ],
};

const annotation: TableDef = {
  logicalName: "annotation",
  entitySet: "annotations",
  primaryKey: "annotationid",
  // overriddencreatedon: set on create only, it becomes createdon (migrated or back-dated records).
  columns: { subject: text(500), notetext: text(100_000), objecttypecode: text(64), overriddencreatedon: datetime },
  lookups: [{ column: "objectid", targets: { objectid_contact: "contact", objectid_account: "account", objectid_opportunity: "opportunity" } }],
};

/**
 * Dynamics 365 Sales' opportunity, with the columns the admin adds for carts
 * (`ct_dealkey` with its alternate key, the cart's status, store, last
 * activity, and the lookup to the order it became). statecode 0 open, 1 won,
 * 2 lost: only WinOpportunity / LoseOpportunity close it.
 */
const opportunity: TableDef = {
  logicalName: "opportunity",
  entitySet: "opportunities",
  primaryKey: "opportunityid",
  alternateKey: "ct_dealkey",
  columns: {
    name: text(300),
    estimatedvalue: decimal,
    stepname: text(200),
    description: text(2000),
    actualvalue: decimal,
    actualclosedate: date,
    ct_dealkey: text(100),
    ct_cartstatus: text(20),
    ct_storekey: text(256),
    ct_lastactivityat: datetime,
    ct_ordernumber: text(100),
  },
  lookups: [
    { column: "customerid", targets: { customerid_contact: "contact", customerid_account: "account" } },
    { column: "parentcontactid", targets: { parentcontactid: "contact" } },
    { column: "parentaccountid", targets: { parentaccountid: "account" } },
    { column: "transactioncurrencyid", targets: { transactioncurrencyid: "transactioncurrency" } },
    { column: "ct_commerceorderid", targets: { ct_commerceorderid: "ct_commerceorder" } },
  ],
  statusReasons: { 0: [1, 2], 1: [3], 2: [4, 5] },
};

/** The activity WinOpportunity and LoseOpportunity create: how and when the opportunity was closed. */
const opportunityClose: TableDef = {
  logicalName: "opportunityclose",
  entitySet: "opportunitycloses",
  primaryKey: "activityid",
  columns: { subject: text(200), description: text(2000), actualrevenue: decimal, actualend: datetime },
  lookups: [{ column: "opportunityid", targets: { opportunityid: "opportunity" } }],
};

const product: TableDef = {
  logicalName: "product",
  entitySet: "products",
  primaryKey: "productid",
  columns: { name: text(100), productnumber: text(100) },
  lookups: [],
};

/** Write-in lines (no product) carry a description instead of a product. */
const opportunityProduct: TableDef = {
  logicalName: "opportunityproduct",
  entitySet: "opportunityproducts",
  primaryKey: "opportunityproductid",
  columns: { productdescription: text(500), quantity: decimal, priceperunit: decimal },
  lookups: [
    { column: "opportunityid", targets: { opportunityid: "opportunity" } },
    { column: "productid", targets: { productid: "product" } },
  ],
};

const currency: TableDef = {
  logicalName: "transactioncurrency",
  entitySet: "transactioncurrencies",
  primaryKey: "transactioncurrencyid",
  columns: { isocurrencycode: text(5), currencyname: text(100) },
  lookups: [],
};

export const tables: readonly TableDef[] = [contact, account, order, annotation, opportunity, opportunityClose, product, opportunityProduct, currency];

const bySet = new Map(tables.map((t) => [t.entitySet, t]));
const byName = new Map(tables.map((t) => [t.logicalName, t]));

export const tableBySet = (entitySet: string) => bySet.get(entitySet);
export const tableNamed = (logicalName: string) => byName.get(logicalName);

/** Columns every table has, set by the platform (read-only through the API). */
export const systemColumns: Record<string, ColumnType> = {
  createdon: datetime,
  modifiedon: datetime,
  versionnumber: integer,
  statecode: integer,
  statuscode: integer,
};
export const systemLookups = ["ownerid", "createdby", "modifiedby"];

const readable = new Map<TableDef, ReadonlySet<string>>();

/** What `$select` and `$filter` may name on a table: columns, the primary key, system columns, `_<lookup>_value`. */
export function readableColumns(table: TableDef): ReadonlySet<string> {
  const known = readable.get(table);
  if (known) return known;
  const columns = new Set([
    table.primaryKey,
    ...Object.keys(table.columns),
    ...Object.keys(systemColumns),
    ...[...table.lookups.map((l) => l.column), ...systemLookups].map((c) => `_${c}_value`),
  ]);
  readable.set(table, columns);
  return columns;
}

/** The navigation property of a table that points at `target` (`parentcustomerid_account` on contact for account). */
export function navigation(table: TableDef, name: string): { lookup: LookupDef; target: string } | undefined {
  for (const lookup of table.lookups) {
    const target = lookup.targets[name];
    if (target) return { lookup, target };
  }
  return undefined;
}
