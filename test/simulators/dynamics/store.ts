import { randomUUID } from "node:crypto";
import { ValueIndex } from "../../support/value-index";
import { badProperty, codes, DataverseError, notExisting } from "./errors";
import { navigation, systemColumns, tableBySet, tableNamed, tables, type ColumnType, type TableDef } from "./tables";

export type Row = Record<string, unknown>;

/** How a request names one record: its primary key, or its alternate key's value. */
export type RecordKey = { id: string } | { alternate: { column: string; value: string } };

export type Message = "Create" | "Update" | "Delete";

/** One committed write, as the webhook steps see it. */
export type Change = {
  table: TableDef;
  message: Message;
  id: string;
  /** The attributes the request set (the webhook's Target), in their stored form. */
  target: Row;
  pre?: Row;
  post?: Row;
  userId: string;
  at: Date;
};

/**
 * The writes of one request or one `$batch` change set: undone together when
 * a later operation of the change set fails, announced (webhooks) only once
 * all of them are committed.
 */
export class UnitOfWork {
  private readonly undo: (() => void)[] = [];
  private readonly changes: Change[] = [];

  constructor(readonly userId: string) {}

  record(change: Change, undo: () => void): void {
    this.changes.push(change);
    this.undo.push(undo);
  }

  rollback(): void {
    for (const step of this.undo.reverse()) step();
    this.undo.length = 0;
    this.changes.length = 0;
  }

  committed(): Change[] {
    return [...this.changes];
  }
}

export type WriteConditions = { ifMatch?: string | undefined; ifNoneMatch?: string | undefined };

/** Dataverse renders datetimes to the second, in UTC. */
export const dataverseTime = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;

/**
 * The time between a create's lookup and its insert, during which a
 * concurrent create of the same key can slip in (as in Dataverse, where the
 * unique index, not the lookup, has the last word).
 */
const gap = (ms: number) => new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

/**
 * The organisation's rows, one map per table, with a unique index per
 * alternate key (text keys compare without case, as Dataverse's collation).
 * Every write checks its body against the table's columns so errors are the
 * org's errors.
 */
export class DataverseStore {
  private readonly rowsByTable = new Map<string, Map<string, Row>>();
  private readonly keyIndexes = new Map<string, ValueIndex>();
  private version = 1_000_000;
  private readonly listeners: ((changes: Change[]) => void)[] = [];

  /** @param createLatencyMs how long a create takes between its lookup and its insert (0: one turn of the event loop) */
  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly createLatencyMs = 0,
  ) {
    for (const table of tables) {
      this.rowsByTable.set(table.logicalName, new Map());
      if (table.alternateKey) this.keyIndexes.set(table.logicalName, new ValueIndex());
    }
  }

  rows(table: TableDef): Map<string, Row> {
    return this.rowsByTable.get(table.logicalName)!;
  }

  /** Every row of a table by entity set name (tests read what was written). */
  list(entitySet: string): Row[] {
    const table = tableBySet(entitySet);
    if (!table) throw new Error(`no table with entity set ${entitySet}`);
    return [...this.rows(table).values()].map((row) => ({ ...row }));
  }

  onCommit(listener: (changes: Change[]) => void): void {
    this.listeners.push(listener);
  }

  commit(unit: UnitOfWork): void {
    const changes = unit.committed();
    if (changes.length > 0) for (const listener of this.listeners) listener(changes);
  }

  /** The IDs an alternate-key value names (one, unless rows were seeded around the index). */
  idsByAlternateKey(table: TableDef, value: string): string[] {
    return [...(this.keyIndexes.get(table.logicalName)?.get(value.toLowerCase()) ?? [])];
  }

  find(table: TableDef, key: RecordKey): Row | undefined {
    if ("id" in key) return this.rows(table).get(key.id.toLowerCase());
    if (key.alternate.column !== table.alternateKey) {
      throw new DataverseError(400, codes.badProperty, `The key '${key.alternate.column}' is not an alternate key of the entity '${table.logicalName}'.`);
    }
    const [id] = this.idsByAlternateKey(table, key.alternate.value);
    return id ? this.rows(table).get(id) : undefined;
  }

  get(table: TableDef, key: RecordKey): Row {
    const row = this.find(table, key);
    if (!row) throw notExisting(table.logicalName, describeKey(key));
    return row;
  }

  async create(table: TableDef, body: Row, unit: UnitOfWork): Promise<Row> {
    const values = this.values(table, body);
    const requested = body[table.primaryKey];
    const id = typeof requested === "string" ? requested.toLowerCase() : randomUUID();
    await gap(this.createLatencyMs);
    return this.insert(table, id, values, unit);
  }

  /**
   * PATCH on a key: update when the record exists, else create it (with the
   * key's value set), unless `If-Match: *` (update only) or `If-None-Match: *`
   * (create only) says otherwise.
   */
  async upsert(table: TableDef, key: RecordKey, body: Row, conditions: WriteConditions, unit: UnitOfWork): Promise<{ row: Row; created: boolean }> {
    const values = this.values(table, body);
    if ("alternate" in key && key.alternate.column in values && String(values[key.alternate.column]).toLowerCase() !== key.alternate.value.toLowerCase()) {
      throw badProperty(`The value of '${key.alternate.column}' in the body differs from the key in the URL.`);
    }
    const existing = this.find(table, key);
    if (existing) {
      if (conditions.ifNoneMatch === "*") throw new DataverseError(412, codes.duplicateRecord, "A record with matching key values already exists.");
      if (conditions.ifMatch && conditions.ifMatch !== "*" && conditions.ifMatch !== etag(existing)) {
        throw new DataverseError(412, codes.versionMismatch, "The version of the existing record doesn't match the RowVersion property provided.");
      }
      return { row: this.update(table, existing, values, unit), created: false };
    }
    if (conditions.ifMatch) throw notExisting(table.logicalName, describeKey(key));
    const id = "id" in key ? key.id.toLowerCase() : randomUUID();
    const withKey = "alternate" in key ? { ...values, [key.alternate.column]: key.alternate.value } : values;
    await gap(this.createLatencyMs);
    return { row: this.insert(table, id, withKey, unit), created: true };
  }

  remove(table: TableDef, key: RecordKey, unit: UnitOfWork): void {
    const row = this.get(table, key);
    const id = row[table.primaryKey] as string;
    this.rows(table).delete(id);
    this.keyIndexes.get(table.logicalName)?.remove(id);
    unit.record({ table, message: "Delete", id, target: {}, pre: { ...row }, userId: unit.userId, at: this.now() }, () => this.place(table, row));
  }

  /** Puts rows in as they are, around validation and the unique index (tests: duplicates a broken org might hold). */
  seed(entitySet: string, rows: Row[]): Row[] {
    const table = tableBySet(entitySet)!;
    return rows.map((row) => {
      const id = String(row[table.primaryKey] ?? randomUUID());
      const stamp = dataverseTime(this.now());
      const full = { ...this.blank(table), createdon: stamp, modifiedon: stamp, versionnumber: ++this.version, ...row, [table.primaryKey]: id };
      // Indexed as it stands: a key held twice is found twice, as a query on the column finds both rows.
      this.place(table, full);
      return full;
    });
  }

  /**
   * WinOpportunity (state 1) and LoseOpportunity (state 2): the
   * opportunityclose activity is created and the open opportunity it names
   * closed with the given status reason, the activity's revenue and end date
   * as its actual value and close date. A closed opportunity cannot be closed
   * again.
   */
  closeOpportunity(state: 1 | 2, status: unknown, activity: Row, unit: UnitOfWork): void {
    const [opportunity, closing] = [tableNamed("opportunity")!, tableNamed("opportunityclose")!];
    const values = this.values(closing, activity);
    const id = values._opportunityid_value;
    if (typeof id !== "string") throw badProperty("OpportunityClose must name the opportunity it closes (opportunityid@odata.bind).");
    if (typeof status !== "number" || !opportunity.statusReasons![state]!.includes(status)) {
      throw new DataverseError(400, codes.badRequest, `${String(status)} is not a valid status code for state code ${state} on opportunity with Id ${id}.`);
    }
    const existing = this.get(opportunity, { id });
    if (existing.statecode !== 0) throw new DataverseError(400, codes.badRequest, `The opportunity with Id ${id} is already closed.`);
    this.insert(closing, randomUUID(), values, unit);
    const actualend = typeof values.actualend === "string" ? values.actualend : dataverseTime(this.now());
    const revenue = values.actualrevenue ?? (state === 1 ? existing.estimatedvalue : null) ?? null;
    this.update(opportunity, existing, { statecode: state, statuscode: status, actualvalue: revenue, actualclosedate: actualend.slice(0, 10) }, unit);
  }

  /** A status reason a write asks for must belong to the record's state (statecode). */
  private checkStatus(table: TableDef, values: Row, state: unknown, id: string): void {
    const asked = values.statuscode;
    if (asked === undefined || asked === null) return;
    if (!table.statusReasons?.[Number(state)]?.includes(Number(asked))) {
      throw new DataverseError(400, codes.badRequest, `${String(asked)} is not a valid status code for state code ${String(state)} on ${table.logicalName} with Id ${id}.`);
    }
  }

  private insert(table: TableDef, id: string, values: Row, unit: UnitOfWork): Row {
    this.checkStatus(table, values, 0, id);
    const key = table.alternateKey ? values[table.alternateKey] : undefined;
    if (this.rows(table).has(id) || (typeof key === "string" && this.idsByAlternateKey(table, key).length > 0)) {
      // Another request created the record between this one's lookup and its insert.
      throw new DataverseError(412, codes.duplicateRecord, "Cannot insert duplicate key.");
    }
    const stamp = dataverseTime(this.now());
    const owner = unit.userId;
    const row: Row = {
      ...this.blank(table),
      ...values,
      [table.primaryKey]: id,
      // A record created with overriddencreatedon carries that time as its creation (migrations, back-dated entries).
      createdon: typeof values.overriddencreatedon === "string" ? values.overriddencreatedon : stamp,
      modifiedon: stamp,
      versionnumber: ++this.version,
      statecode: 0,
      statuscode: values.statuscode ?? 1,
      _ownerid_value: owner,
      _createdby_value: owner,
      _modifiedby_value: owner,
    };
    Object.assign(row, table.computed?.(row));
    this.place(table, row);
    unit.record({ table, message: "Create", id, target: { ...values }, post: { ...row }, userId: unit.userId, at: this.now() }, () => this.unplace(table, id));
    return row;
  }

  private update(table: TableDef, existing: Row, values: Row, unit: UnitOfWork): Row {
    if (values.statecode === undefined) this.checkStatus(table, values, existing.statecode, String(existing[table.primaryKey]));
    const before = { ...existing };
    const row: Row = { ...existing, ...values, modifiedon: dataverseTime(this.now()), versionnumber: ++this.version, _modifiedby_value: unit.userId };
    Object.assign(row, table.computed?.(row));
    this.place(table, row);
    const id = row[table.primaryKey] as string;
    unit.record({ table, message: "Update", id, target: { ...values }, pre: before, post: { ...row }, userId: unit.userId, at: this.now() }, () => this.place(table, before));
    return row;
  }

  private place(table: TableDef, row: Row): void {
    const id = row[table.primaryKey] as string;
    this.rows(table).set(id, row);
    const key = table.alternateKey ? row[table.alternateKey] : undefined;
    this.keyIndexes.get(table.logicalName)?.put(id, typeof key === "string" ? [key.toLowerCase()] : []);
  }

  private unplace(table: TableDef, id: string): void {
    this.rows(table).delete(id);
    this.keyIndexes.get(table.logicalName)?.remove(id);
  }

  private blank(table: TableDef): Row {
    const lookups = table.lookups.map((l) => [`_${l.column}_value`, null]);
    return { ...Object.fromEntries(Object.keys(table.columns).map((c) => [c, null])), ...Object.fromEntries(lookups) };
  }

  /** The body's columns in stored form, lookups resolved; what Dataverse refuses is thrown as Dataverse words it. */
  private values(table: TableDef, body: Row): Row {
    const out: Row = {};
    for (const [name, value] of Object.entries(body)) {
      if (name.startsWith("@odata.")) continue;
      if (name.endsWith("@odata.bind")) {
        Object.assign(out, this.bind(table, name.slice(0, -"@odata.bind".length), value));
        continue;
      }
      if (name === table.primaryKey) continue;
      if (name === "statuscode" && table.statusReasons) {
        out.statuscode = convert(table, name, systemColumns.statuscode!, value);
        continue;
      }
      // Read-only system columns are ignored on write (unverified: picked over refusing them).
      if (name in systemColumns) continue;
      const type = table.columns[name];
      if (!type) {
        throw badProperty(`The property '${name}' does not exist on type 'Microsoft.Dynamics.CRM.${table.logicalName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
      }
      out[name] = convert(table, name, type, value);
    }
    return out;
  }

  /** `parentcustomerid_account@odata.bind: "/accounts(ct_businessunitid='bu-1')"` → `_parentcustomerid_value`. */
  private bind(table: TableDef, navigationName: string, value: unknown): Row {
    const nav = navigation(table, navigationName);
    if (!nav) throw badProperty(`An undeclared property '${navigationName}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`);
    const column = `_${nav.lookup.column}_value`;
    const kind = lookupKind(column);
    if (value === null) return { [column]: null, [kind]: null };
    const reference = parseReference(typeof value === "string" ? value : "");
    const target = reference ? tableBySet(reference.entitySet) : undefined;
    if (!reference || !target || target.logicalName !== nav.target) throw badProperty(`Invalid entity reference '${String(value)}' for the navigation property '${navigationName}'.`);
    const row = this.find(target, reference.key);
    if (!row) {
      if ("id" in reference.key) throw notExisting(target.logicalName, describeKey(reference.key));
      throw new DataverseError(404, codes.keyNotFound, `A record with the specified key values does not exist in ${target.logicalName} entity`);
    }
    return { [column]: row[target.primaryKey], [kind]: target.logicalName };
  }
}

/** Where a row keeps which table its lookup points at (polymorphic lookups need it), as the annotation Dataverse answers it under. */
export const lookupKind = (column: string) => `${column}@Microsoft.Dynamics.CRM.lookuplogicalname`;

export const etag = (row: Row) => `W/"${String(row.versionnumber)}"`;

export function describeKey(key: RecordKey): string {
  return "id" in key ? `Id = ${key.id}` : `${key.alternate.column} = ${key.alternate.value}`;
}

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The inside of `contacts(...)`: a GUID, or `column='value'` ('' escapes a quote) or `column=123`. */
export function parseKey(text: string): RecordKey | undefined {
  if (guid.test(text)) return { id: text.toLowerCase() };
  const match = /^([a-z_][a-z0-9_]*)=(?:'((?:[^']|'')*)'|(-?\d+))$/i.exec(text);
  if (!match) return undefined;
  return { alternate: { column: match[1]!, value: match[2] !== undefined ? match[2].replace(/''/g, "'") : match[3]! } };
}

/** `/accounts(…)`, `accounts(…)` or an absolute URL ending in one: a reference to one record. */
export function parseReference(text: string): { entitySet: string; key: RecordKey } | undefined {
  const match = /(?:^|\/)([A-Za-z_][A-Za-z0-9_]*)\((.*)\)$/.exec(text);
  if (!match) return undefined;
  const key = parseKey(decodeURIComponent(match[2]!));
  return key ? { entitySet: match[1]!, key } : undefined;
}

function convert(table: TableDef, name: string, type: ColumnType, value: unknown): unknown {
  if (value === null) return null;
  const refuse = (edm: string) => badProperty(`Cannot convert the literal '${String(value)}' to the expected type '${edm}'.`);
  switch (type.kind) {
    case "string":
      if (typeof value !== "string") throw refuse("Edm.String");
      if (value.length > type.maxLength) {
        throw new DataverseError(400, codes.tooLong, `A validation error occurred. The length of the '${name}' attribute of the '${table.logicalName}' entity exceeded the maximum allowed length of '${type.maxLength}'.`);
      }
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw refuse("Edm.Boolean");
      return value;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) throw refuse("Edm.Int32");
      return value;
    case "decimal":
      if (typeof value !== "number" || !Number.isFinite(value)) throw refuse("Edm.Decimal");
      return value;
    case "datetime": {
      const time = typeof value === "string" ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(time)) throw refuse("Edm.DateTimeOffset");
      return dataverseTime(new Date(time));
    }
    case "date":
      if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw refuse("Edm.Date");
      return value;
    case "guid":
      if (typeof value !== "string" || !guid.test(value)) throw refuse("Edm.Guid");
      return value.toLowerCase();
  }
}

export { tableBySet, tableNamed };
