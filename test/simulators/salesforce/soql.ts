import { findField, findRelationship, findSObject, type FieldDef, type SObjectDef } from "./schema";
import { sfError } from "./errors";
import type { Row, SalesforceStore } from "./store";

/**
 * The SOQL subset the sync and its tests need:
 *   SELECT a, Rel.b | COUNT() FROM Obj [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
 * cond: comparisons (= != <> < <= > >= LIKE IN NOT IN) joined by AND or OR
 * (mixing them needs parentheses, as in SOQL), NOT, parentheses.
 * Anything else is MALFORMED_QUERY, as an org would answer for what it cannot parse.
 */

type Token = { kind: "word" | "string" | "number" | "op" | "punct"; text: string };

export type FieldPath = { path: string[] };
type Value = string | number | boolean | null | { dateTime: number };
type Condition =
  | { kind: "cmp"; field: FieldPath; op: string; value: Value }
  | { kind: "in"; field: FieldPath; negate: boolean; values: Value[] }
  | { kind: "and" | "or"; parts: Condition[] }
  | { kind: "not"; part: Condition };

export type ParsedQuery = {
  object: SObjectDef;
  count: boolean;
  fields: FieldPath[];
  where?: Condition;
  orderBy: { field: FieldPath; desc: boolean; nullsLast: boolean }[];
  limit?: number;
  offset?: number;
};

const malformed = (message: string) => sfError(400, "MALFORMED_QUERY", message);

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let text = "";
      i++;
      for (;;) {
        if (i >= soql.length) throw malformed("unterminated string literal");
        const d = soql.charAt(i);
        if (d === "\\") {
          const next = soql.charAt(i + 1);
          text += ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[next] ?? next;
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          text += d;
          i++;
        }
      }
      tokens.push({ kind: "string", text });
    } else if (/[<>!=]/.test(c)) {
      const two = soql.slice(i, i + 2);
      const op = ["<=", ">=", "!=", "<>"].includes(two) ? two : c;
      tokens.push({ kind: "op", text: op });
      i += op.length;
    } else if (/[(),]/.test(c)) {
      tokens.push({ kind: "punct", text: c });
      i++;
    } else {
      const match = /^\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})|^\d{4}-\d{2}-\d{2}(?![\w:])|^[-+]?\d+(?:\.\d+)?(?![\w-])|^[A-Za-z_][\w.]*/.exec(soql.slice(i));
      if (!match) throw malformed(`unexpected token: '${c}'`);
      const text = match[0];
      tokens.push({ kind: /^[A-Za-z_]/.test(text) ? "word" : "number", text });
      i += text.length;
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw malformed("unexpected end of query");
    return t;
  }
  isKeyword(word: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t?.kind === "word" && t.text.toUpperCase() === word;
  }
  keyword(word: string): void {
    const t = this.next();
    if (t.kind !== "word" || t.text.toUpperCase() !== word) throw malformed(`unexpected token: '${t.text}'`);
  }
  punct(p: string): void {
    const t = this.next();
    if (t.text !== p) throw malformed(`unexpected token: '${t.text}'`);
  }
  done(): boolean {
    return this.pos >= this.tokens.length;
  }
}

const reserved = new Set(["FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT", "OFFSET", "ASC", "DESC", "NULLS"]);

function fieldPath(p: Parser): FieldPath {
  const t = p.next();
  if (t.kind !== "word" || reserved.has(t.text.toUpperCase())) throw malformed(`unexpected token: '${t.text}'`);
  return { path: t.text.split(".") };
}

function literal(p: Parser): Value {
  const t = p.next();
  if (t.kind === "string") return t.text;
  if (t.kind === "number") {
    if (t.text.includes("T")) return { dateTime: Date.parse(t.text) };
    if (/^\d{4}-\d{2}-\d{2}$/.test(t.text)) return t.text;
    return Number(t.text);
  }
  if (t.kind === "word") {
    const upper = t.text.toUpperCase();
    if (upper === "TRUE") return true;
    if (upper === "FALSE") return false;
    if (upper === "NULL") return null;
  }
  throw malformed(`unexpected token: '${t.text}'`);
}

function condition(p: Parser): Condition {
  const first = unary(p);
  const parts = [first];
  let joiner: "and" | "or" | undefined;
  while (p.isKeyword("AND") || p.isKeyword("OR")) {
    const kind = p.next().text.toLowerCase() as "and" | "or";
    if (joiner && joiner !== kind) throw malformed("unexpected token: 'OR': use parentheses to mix AND and OR");
    joiner = kind;
    parts.push(unary(p));
  }
  return joiner ? { kind: joiner, parts } : first;
}

function unary(p: Parser): Condition {
  if (p.isKeyword("NOT")) {
    p.next();
    return { kind: "not", part: unary(p) };
  }
  if (p.peek()?.text === "(") {
    p.next();
    const inner = condition(p);
    p.punct(")");
    return inner;
  }
  const field = fieldPath(p);
  if (p.isKeyword("IN") || (p.isKeyword("NOT") && p.isKeyword("IN", 1))) {
    const negate = p.isKeyword("NOT");
    if (negate) p.next();
    p.next();
    p.punct("(");
    const values = [literal(p)];
    while (p.peek()?.text === ",") {
      p.next();
      values.push(literal(p));
    }
    p.punct(")");
    return { kind: "in", field, negate, values };
  }
  const opToken = p.next();
  const op = opToken.kind === "word" && opToken.text.toUpperCase() === "LIKE" ? "LIKE" : opToken.kind === "op" ? opToken.text : undefined;
  if (!op) throw malformed(`unexpected token: '${opToken.text}'`);
  return { kind: "cmp", field, op, value: literal(p) };
}

export function parseSoql(soql: string): ParsedQuery {
  const p = new Parser(tokenize(soql));
  p.keyword("SELECT");
  let count = false;
  const fields: FieldPath[] = [];
  if (p.isKeyword("COUNT")) {
    p.next();
    p.punct("(");
    p.punct(")");
    count = true;
  } else {
    fields.push(fieldPath(p));
    while (p.peek()?.text === ",") {
      p.next();
      fields.push(fieldPath(p));
    }
  }
  p.keyword("FROM");
  const objectToken = p.next();
  const object = findSObject(objectToken.text);
  if (!object) {
    throw sfError(
      400,
      "INVALID_TYPE",
      `sObject type '${objectToken.text}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const query: ParsedQuery = { object, count, fields, orderBy: [] };
  if (p.isKeyword("WHERE")) {
    p.next();
    query.where = condition(p);
  }
  if (p.isKeyword("ORDER")) {
    p.next();
    p.keyword("BY");
    for (;;) {
      const field = fieldPath(p);
      let desc = false;
      if (p.isKeyword("ASC") || p.isKeyword("DESC")) desc = p.next().text.toUpperCase() === "DESC";
      let nullsLast = desc; // SOQL default: NULLS FIRST ascending, NULLS LAST descending
      if (p.isKeyword("NULLS")) {
        p.next();
        const which = p.next().text.toUpperCase();
        if (which !== "FIRST" && which !== "LAST") throw malformed(`unexpected token: '${which}'`);
        nullsLast = which === "LAST";
      }
      query.orderBy.push({ field, desc, nullsLast });
      if (p.peek()?.text !== ",") break;
      p.next();
    }
  }
  if (p.isKeyword("LIMIT")) {
    p.next();
    query.limit = Number(p.next().text);
  }
  if (p.isKeyword("OFFSET")) {
    p.next();
    query.offset = Number(p.next().text);
  }
  if (!p.done()) throw malformed(`unexpected token: '${p.peek()!.text}'`);
  if (query.limit !== undefined && !Number.isInteger(query.limit)) throw malformed("LIMIT must be an integer");
  for (const f of [...query.fields, ...query.orderBy.map((o) => o.field), ...conditionFields(query.where)]) resolveField(object, f);
  return query;
}

function conditionFields(c: Condition | undefined): FieldPath[] {
  if (!c) return [];
  if (c.kind === "cmp" || c.kind === "in") return [c.field];
  if (c.kind === "not") return conditionFields(c.part);
  return c.parts.flatMap(conditionFields);
}

const invalidField = (name: string, object: SObjectDef) =>
  sfError(
    400,
    "INVALID_FIELD",
    `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );

/** Walks `Account.Parent.Name` through relationship names to the final field definition. */
function resolveField(object: SObjectDef, f: FieldPath): FieldDef {
  let current = object;
  for (let i = 0; i < f.path.length - 1; i++) {
    const rel = findRelationship(current, f.path[i]!);
    if (!rel?.referenceTo) throw invalidField(f.path.slice(i).join("."), current);
    current = findSObject(rel.referenceTo)!;
  }
  const field = findField(current, f.path.at(-1)!);
  if (!field) throw invalidField(f.path.at(-1)!, current);
  return field;
}

function valueAt(store: SalesforceStore, object: SObjectDef, row: Row, f: FieldPath): unknown {
  let currentObject = object;
  let current: Row | undefined = row;
  for (let i = 0; i < f.path.length - 1 && current; i++) {
    const rel = findRelationship(currentObject, f.path[i]!)!;
    currentObject = findSObject(rel.referenceTo!)!;
    const id: unknown = current[rel.name];
    current = typeof id === "string" ? store.get(currentObject.name, id) : undefined;
  }
  if (!current) return null;
  return current[findField(currentObject, f.path.at(-1)!)!.name] ?? null;
}

function comparable(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v)) return Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  if (typeof v === "string") return v.toLowerCase(); // SOQL text comparison ignores case
  if (typeof v === "number" || typeof v === "boolean") return v;
  return String(v);
}

function literalComparable(v: Value): string | number | boolean | null {
  if (v !== null && typeof v === "object") return v.dateTime;
  return comparable(v);
}

function likeToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
  return new RegExp(`^${escaped}$`, "is");
}

function matches(store: SalesforceStore, object: SObjectDef, row: Row, c: Condition): boolean {
  switch (c.kind) {
    case "and":
      return c.parts.every((part) => matches(store, object, row, part));
    case "or":
      return c.parts.some((part) => matches(store, object, row, part));
    case "not":
      return !matches(store, object, row, c.part);
    case "in": {
      const v = comparable(valueAt(store, object, row, c.field));
      const found = c.values.some((lit) => literalComparable(lit) === v);
      return c.negate ? !found : found;
    }
    case "cmp": {
      const raw = valueAt(store, object, row, c.field);
      if (c.op === "LIKE") return typeof raw === "string" && typeof c.value === "string" && likeToRegExp(c.value).test(raw);
      const a = comparable(raw);
      const b = literalComparable(c.value);
      switch (c.op) {
        case "=":
          return a === b;
        case "!=":
        case "<>":
          return a !== b;
        default:
          if (a === null || b === null) return false;
          if (c.op === "<") return a < b;
          if (c.op === "<=") return a <= b;
          if (c.op === ">") return a > b;
          return a >= b;
      }
    }
  }
}

export type QueryResult = { totalSize: number; records: Record<string, unknown>[]; count: boolean };

/** Runs a parsed query; `recordUrl` builds attributes.url. */
export function runQuery(store: SalesforceStore, q: ParsedQuery, includeDeleted: boolean, recordUrl: (type: string, id: string) => string): QueryResult {
  let rows = store.rows(q.object.name, includeDeleted).filter((r) => !q.where || matches(store, q.object, r, q.where));
  if (q.orderBy.length) {
    rows = [...rows].sort((x, y) => {
      for (const o of q.orderBy) {
        const a = comparable(valueAt(store, q.object, x, o.field));
        const b = comparable(valueAt(store, q.object, y, o.field));
        if (a === b) continue;
        if (a === null) return o.nullsLast ? 1 : -1;
        if (b === null) return o.nullsLast ? -1 : 1;
        return (a < b ? -1 : 1) * (o.desc ? -1 : 1);
      }
      return 0;
    });
  }
  rows = rows.slice(q.offset ?? 0, q.limit !== undefined ? (q.offset ?? 0) + q.limit : undefined);
  if (q.count) return { totalSize: rows.length, records: [], count: true };
  const records = rows.map((row) => project(store, q.object, row, q.fields, recordUrl));
  return { totalSize: records.length, records, count: false };
}

/** Builds the record as the REST API nests it: relationship fields become sub-objects with attributes, or null. */
function project(
  store: SalesforceStore,
  object: SObjectDef,
  row: Row,
  fields: FieldPath[],
  recordUrl: (type: string, id: string) => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: object.name, url: recordUrl(object.name, row.Id) } };
  const groups = new Map<string, FieldPath[]>();
  for (const f of fields) {
    if (f.path.length === 1) {
      const def = findField(object, f.path[0]!)!;
      out[def.name] = row[def.name] ?? null;
    } else {
      const rel = findRelationship(object, f.path[0]!)!;
      const list = groups.get(rel.relationshipName!) ?? [];
      list.push({ path: f.path.slice(1) });
      groups.set(rel.relationshipName!, list);
    }
  }
  for (const [relName, subFields] of groups) {
    const rel = findRelationship(object, relName)!;
    const parentObject = findSObject(rel.referenceTo!)!;
    const id = row[rel.name];
    const parent = typeof id === "string" ? store.get(parentObject.name, id) : undefined;
    out[relName] = parent ? project(store, parentObject, parent, subFields, recordUrl) : null;
  }
  return out;
}
