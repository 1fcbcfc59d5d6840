import { findField, findSObject, sobjects, type FieldDef, type SObjectDef } from "./schema";
import { formatDateTime, parseBody, type ValueSource } from "./values";
import { ValueIndex } from "../../support/value-index";
import type { SfError } from "./errors";

export type Row = Record<string, unknown> & { Id: string };

export type WriteResult =
  | { ok: true; id: string; created: boolean }
  | { ok: false; status: number; errors: SfError[]; matches?: string[] };

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const suffixChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/** Salesforce's case-safe 18-character Id: 15 characters plus a checksum of their upper-case positions. */
export function toId18(id15: string): string {
  let suffix = "";
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= "A" && c <= "Z") bits |= 1 << i;
    }
    suffix += suffixChars.charAt(bits);
  }
  return id15 + suffix;
}

/** Text external IDs compare case-insensitively (the default when the field is created). */
const indexValues = (value: unknown) => (typeof value === "string" ? [value.toLowerCase()] : []);

/**
 * The org's data: one table per sObject, plus a recycle bin for `queryAll`.
 * Every write goes through the field table (values.ts) so errors match an org's.
 */
/** The API request a write belongs to: its ID and when it arrived (before any delay). */
export type WriteRequest = { id: string; arrivedAt: number };

export class SalesforceStore {
  private tables = new Map<string, Map<string, Row>>();
  private recycleBin = new Map<string, Map<string, Row>>();
  /** `Object.Field` → lower-cased value → Ids, built on first lookup by that field, as an org indexes external IDs. */
  private indexes = new Map<string, ValueIndex>();
  private counter = 0;
  private readonly writeListeners: ((objectName: string, row: Row, before: Row | undefined) => void)[] = [];
  /**
   * Concurrent upserts of one new external ID: each request saw no record
   * when it started and inserts; the org keeps the first and refuses the
   * others with DUPLICATE_VALUE. A request that arrived before another request
   * created its key is such a request (false: never refused; see the README).
   */
  concurrentInserts = true;
  /** Object.field.key (lower case) → the request that created the record, and when. */
  private readonly recentCreates = new Map<string, { request: string; at: number }>();

  constructor(private readonly now: () => Date = () => new Date()) {
    for (const o of sobjects) {
      this.tables.set(o.name, new Map());
      this.recycleBin.set(o.name, new Map());
    }
  }

  private table(object: SObjectDef): Map<string, Row> {
    return this.tables.get(object.name)!;
  }

  newId(object: SObjectDef): string {
    this.counter++;
    let n = this.counter;
    let body = "";
    for (let i = 0; i < 10; i++) {
      body = base62.charAt(n % 62) + body;
      n = Math.floor(n / 62);
    }
    return toId18(`${object.keyPrefix}5g${body}`);
  }

  /** Rows in creation order; with `includeDeleted` also the recycle bin (queryAll). */
  rows(objectName: string, includeDeleted = false): Row[] {
    const object = findSObject(objectName);
    if (!object) return [];
    const live = [...this.table(object).values()];
    return includeDeleted ? [...live, ...this.recycleBin.get(object.name)!.values()] : live;
  }

  /** Accepts 15- or 18-character Ids. */
  get(objectName: string, id: string): Row | undefined {
    const object = findSObject(objectName);
    if (!object) return undefined;
    const table = this.table(object);
    return table.get(id.length === 15 ? toId18(id) : id);
  }

  /** Any object's row by Id, for relationship traversal. */
  getAny(id: string): { object: SObjectDef; row: Row } | undefined {
    const object = sobjects.find((o) => id.startsWith(o.keyPrefix));
    const row = object ? this.get(object.name, id) : undefined;
    return object && row ? { object, row } : undefined;
  }

  findBy(object: SObjectDef, field: FieldDef, value: string): Row[] {
    if (field.type === "id") {
      const row = this.get(object.name, value);
      return row ? [row] : [];
    }
    const table = this.table(object);
    return [...this.index(object, field).get(value.toLowerCase())].map((id) => table.get(id)!);
  }

  private index(object: SObjectDef, field: FieldDef): ValueIndex {
    const name = `${object.name}.${field.name}`;
    let index = this.indexes.get(name);
    if (!index) {
      index = new ValueIndex();
      for (const row of this.table(object).values()) index.put(row.Id, indexValues(row[field.name]));
      this.indexes.set(name, index);
    }
    return index;
  }

  /** Puts a row in its table and keeps the built indexes in step (`row` undefined: removed). */
  private store(object: SObjectDef, id: string, row: Row | undefined) {
    const table = this.table(object);
    if (row) table.set(id, row);
    else table.delete(id);
    for (const field of object.fields) {
      const index = this.indexes.get(`${object.name}.${field.name}`);
      if (!index) continue;
      if (row) index.put(id, indexValues(row[field.name]));
      else index.remove(id);
    }
  }

  /** Tells `listener` of every record created or updated through the API from now on, with the record before (workflow rules fire on these). */
  onWrite(listener: (objectName: string, row: Row, before: Row | undefined) => void): void {
    this.writeListeners.push(listener);
  }

  /** Test hook: inserts a row without validation (e.g. duplicate external IDs for the 300 case). */
  seed(objectName: string, fields: Record<string, unknown>): Row {
    const object = findSObject(objectName)!;
    const stamp = formatDateTime(this.now());
    const row: Row = { ...fields, Id: this.newId(object), IsDeleted: false, CreatedDate: stamp, LastModifiedDate: stamp, SystemModstamp: stamp };
    this.store(object, row.Id, row);
    return row;
  }

  /** Copy of every table, for allOrNone rollback. */
  snapshot(): () => void {
    const saved = new Map([...this.tables].map(([k, t]) => [k, new Map([...t].map(([id, r]) => [id, { ...r }]))]));
    const counter = this.counter;
    return () => {
      this.tables = saved;
      this.indexes.clear();
      this.counter = counter;
    };
  }

  create(objectName: string, body: Record<string, unknown>, source: ValueSource = "json"): WriteResult {
    const object = findSObject(objectName);
    if (!object) return notFoundResult();
    return this.write(object, undefined, body, source);
  }

  update(objectName: string, id: string, body: Record<string, unknown>, source: ValueSource = "json"): WriteResult {
    const object = findSObject(objectName);
    if (!object) return notFoundResult();
    const existing = this.get(object.name, id);
    if (!existing) {
      const deleted = [...this.recycleBin.get(object.name)!.values()].some((r) => r.Id.startsWith(id.slice(0, 15)));
      return deleted
        ? { ok: false, status: 404, errors: [{ message: "entity is deleted", errorCode: "ENTITY_IS_DELETED", fields: [] }] }
        : notFoundResult();
    }
    return this.write(object, existing, body, source);
  }

  /**
   * Upsert by external ID (or Id): none → create, one → update, several → 300
   * with the matching records. The body may repeat the key only with the same value.
   */
  upsert(objectName: string, fieldName: string, value: string, body: Record<string, unknown>, source: ValueSource = "json", request?: WriteRequest): WriteResult {
    const object = findSObject(objectName);
    const field = object ? findField(object, fieldName) : undefined;
    if (!object || !field || !(field.externalId || field.type === "id")) return notFoundResult();
    const repeated = Object.keys(body).find((k) => k.toLowerCase() === field.name.toLowerCase());
    if (repeated !== undefined && String(body[repeated]) !== value) {
      return {
        ok: false,
        status: 400,
        errors: [{ message: `${field.name}: the value in the body differs from the one in the URL`, errorCode: "INVALID_FIELD", fields: [field.name] }],
      };
    }
    const matches = this.findBy(object, field, value);
    if (matches.length > 1) {
      return {
        ok: false,
        status: 300,
        matches: matches.map((r) => r.Id),
        errors: [{ message: `more than one record found for external id field: [${matches.map((r) => r.Id).join(", ")}]`, errorCode: "DUPLICATE_EXTERNAL_ID", fields: [] }],
      };
    }
    const raceKey = `${object.name}.${field.name}.${value.toLowerCase()}`;
    if (matches.length === 1) {
      const created = this.recentCreates.get(raceKey);
      if (this.concurrentInserts && request && created && created.request !== request.id && request.arrivedAt < created.at) {
        return {
          ok: false,
          status: 400,
          errors: [{ message: `duplicate value found: ${field.name} duplicates value on record with id: ${matches[0]!.Id}`, errorCode: "DUPLICATE_VALUE", fields: [field.name] }],
        };
      }
      return this.write(object, matches[0], body, source);
    }
    if (field.type === "id") return notFoundResult();
    const withKey = { ...body };
    if (repeated !== undefined) delete withKey[repeated];
    const result = this.write(object, undefined, { ...withKey, [field.name]: value }, source);
    if (result.ok && request && this.concurrentInserts) this.rememberCreate(raceKey, request.id);
    return result;
  }

  /** Creates are remembered a minute: no request waits longer than that between arriving and being answered. */
  private rememberCreate(key: string, request: string) {
    const now = Date.now();
    if (this.recentCreates.size > 10_000) {
      for (const [k, { at }] of this.recentCreates) if (now - at > 60_000) this.recentCreates.delete(k);
    }
    this.recentCreates.set(key, { request, at: now });
  }

  /**
   * The first parent named by external ID in `body` that the org does not hold
   * right now. Collections resolve these when the request starts (unverified,
   * picked: one DML operation), so a parent created earlier in the same request
   * does not count.
   */
  unresolvedReference(objectName: string, body: Record<string, unknown>): SfError | undefined {
    const object = findSObject(objectName);
    if (!object) return undefined;
    const parsed = parseBody(object, body, "json");
    if ("errors" in parsed) return undefined; // reported by the write itself
    for (const ref of parsed.refs) {
      if (this.findBy(ref.parent, ref.extField, ref.value).length === 0) {
        return { message: `Foreign key external ID: ${ref.value} not found for field ${ref.extField.name} in entity ${ref.parent.name}`, errorCode: "INVALID_FIELD", fields: [] };
      }
    }
    return undefined;
  }

  delete(objectName: string, id: string): boolean {
    const object = findSObject(objectName);
    const row = object ? this.get(object.name, id) : undefined;
    if (!object || !row) return false;
    this.store(object, row.Id, undefined);
    this.recycleBin.get(object.name)!.set(row.Id, { ...row, IsDeleted: true });
    return true;
  }

  /** The record a lookup points at: of the lookup's object, or of any object a polymorphic lookup allows. */
  private referenced(field: FieldDef, id: string): Row | undefined {
    if (!field.polymorphicTo) return this.get(field.referenceTo!, id);
    const found = this.getAny(id);
    return found && field.polymorphicTo.includes(found.object.name) ? found.row : undefined;
  }

  private write(object: SObjectDef, existing: Row | undefined, body: Record<string, unknown>, source: ValueSource): WriteResult {
    const parsed = parseBody(object, body, source);
    if ("errors" in parsed) return { ok: false, status: 400, errors: parsed.errors };
    const values = { ...parsed.values };
    for (const ref of parsed.refs) {
      const parents = this.findBy(ref.parent, ref.extField, ref.value);
      if (parents.length === 0) {
        return {
          ok: false,
          status: 400,
          errors: [{ message: `Foreign key external ID: ${ref.value} not found for field ${ref.extField.name} in entity ${ref.parent.name}`, errorCode: "INVALID_FIELD", fields: [] }],
        };
      }
      if (parents.length > 1) {
        return {
          ok: false,
          status: 400,
          errors: [{ message: `Foreign key external ID: ${ref.value} matches more than one ${ref.parent.name} for field ${ref.extField.name}`, errorCode: "INVALID_FIELD", fields: [] }],
        };
      }
      values[ref.field.name] = parents[0]!.Id;
    }
    for (const field of object.fields) {
      if (field.type !== "reference" || typeof values[field.name] !== "string") continue;
      const target = this.referenced(field, values[field.name] as string);
      if (!target) {
        return {
          ok: false,
          status: 400,
          errors: [{ message: `${field.label}: id value of incorrect type: ${String(values[field.name])}`, errorCode: "FIELD_INTEGRITY_EXCEPTION", fields: [field.name] }],
        };
      }
      values[field.name] = target.Id;
    }
    const merged: Record<string, unknown> = existing ? { ...existing, ...values } : { ...defaults(object), ...values };
    const missing = object.fields.filter((f) => f.required && (merged[f.name] === undefined || merged[f.name] === null || merged[f.name] === ""));
    if (missing.length) {
      return {
        ok: false,
        status: 400,
        errors: [{ message: `Required fields are missing: [${missing.map((f) => f.name).join(", ")}]`, errorCode: "REQUIRED_FIELD_MISSING", fields: missing.map((f) => f.name) }],
      };
    }
    for (const field of object.fields) {
      const value = merged[field.name];
      if (!field.unique || typeof value !== "string") continue;
      const clash = this.findBy(object, field, value).find((r) => r.Id !== existing?.Id);
      if (clash) {
        return {
          ok: false,
          status: 400,
          errors: [{ message: `duplicate value found: ${field.name} duplicates value on record with id: ${clash.Id}`, errorCode: "DUPLICATE_VALUE", fields: [field.name] }],
        };
      }
    }
    const stamp = formatDateTime(this.now());
    const row: Row = existing
      ? { ...(merged as Row), LastModifiedDate: stamp, SystemModstamp: stamp }
      : { ...merged, Id: this.newId(object), IsDeleted: false, CreatedDate: stamp, LastModifiedDate: stamp, SystemModstamp: stamp };
    if (object.name === "Contact") row.Name = [row.FirstName, row.LastName].filter(Boolean).join(" ");
    if (object.name === "Opportunity") Object.assign(row, stageFlags(row.StageName));
    this.store(object, row.Id, row);
    for (const listener of this.writeListeners) listener(object.name, row, existing);
    return { ok: true, id: row.Id, created: !existing };
  }
}

/** The standard sales process: these two stages close an opportunity, the first as won; every other stage is open. */
function stageFlags(stage: unknown): { IsClosed: boolean; IsWon: boolean } {
  return { IsClosed: stage === "Closed Won" || stage === "Closed Lost", IsWon: stage === "Closed Won" };
}

function defaults(object: SObjectDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of object.fields) {
    if (f.readOnly) continue;
    out[f.name] = f.defaultValue ?? (f.type === "boolean" ? false : null);
  }
  return out;
}

const notFoundResult = (): WriteResult => ({
  ok: false,
  status: 404,
  errors: [{ message: "The requested resource does not exist", errorCode: "NOT_FOUND" }],
});
