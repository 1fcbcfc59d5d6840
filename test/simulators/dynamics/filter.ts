import { badProperty } from "./errors";

/**
 * The `$filter` subset the simulator answers: comparisons (`eq ne gt ge lt
 * le`) of a column with a literal, `and`, `or`, `not`, parentheses, and
 * `contains`/`startswith`/`endswith`, and the query function
 * `Microsoft.Dynamics.CRM.In(PropertyName='col',PropertyValues=['a','b'])`
 * (values are strings, as Dataverse takes them). Literals: 'text' ('' escapes a quote),
 * numbers, true/false/null, GUIDs and datetimes unquoted. Strings compare
 * without case, as Dataverse's default collation does.
 */
export type Filter =
  | { kind: "compare"; column: string; op: CompareOp; value: Literal }
  | { kind: "function"; name: "contains" | "startswith" | "endswith"; column: string; value: string }
  | { kind: "in"; column: string; values: string[] }
  | { kind: "and" | "or"; left: Filter; right: Filter }
  | { kind: "not"; operand: Filter };

type CompareOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
type Literal = string | number | boolean | null | { datetime: number };

type Token = { kind: "name" | "string" | "number" | "guid" | "datetime" | "punct"; text: string };

const patterns: [Token["kind"], RegExp][] = [
  ["string", /^'(?:[^']|'')*'/],
  ["datetime", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/],
  ["guid", /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/],
  ["number", /^-?\d+(?:\.\d+)?/],
  ["name", /^[A-Za-z_][A-Za-z0-9_.]*/],
  ["punct", /^[(),=[\]]/],
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    const match = patterns.map(([kind, re]) => ({ kind, found: re.exec(rest) })).find((m) => m.found);
    if (!match?.found) throw badProperty(`Syntax error at position ${text.length - rest.length} in '${text}'.`);
    tokens.push({ kind: match.kind, text: match.found[0] });
    rest = rest.slice(match.found[0].length).trimStart();
  }
  return tokens;
}

const compareOps = new Set<string>(["eq", "ne", "gt", "ge", "lt", "le"]);
const functions = new Set<string>(["contains", "startswith", "endswith"]);
const inFunction = "Microsoft.Dynamics.CRM.In";

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
    private readonly known: (column: string) => boolean,
  ) {}

  parse(): Filter {
    const filter = this.or();
    if (this.at < this.tokens.length) this.fail(`unexpected '${this.tokens[this.at]!.text}'`);
    return filter;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token {
    const token = this.tokens[this.at++];
    if (!token) this.fail("unexpected end of expression");
    return token!;
  }

  private expect(text: string): void {
    if (this.next().text !== text) this.fail(`'${text}' expected`);
  }

  private fail(why: string): never {
    throw badProperty(`Syntax error: ${why} in '${this.source}'.`);
  }

  /** `operand (op operand)*`, left-associative; `and` binds tighter than `or`. */
  private chain(op: "and" | "or", operand: () => Filter): Filter {
    let left = operand();
    while (this.peek()?.text === op) {
      this.at++;
      left = { kind: op, left, right: operand() };
    }
    return left;
  }

  private or(): Filter {
    return this.chain("or", () => this.chain("and", () => this.unary()));
  }

  private unary(): Filter {
    const token = this.peek();
    if (token?.text === "not") {
      this.at++;
      return { kind: "not", operand: this.unary() };
    }
    if (token?.text === "(") {
      this.at++;
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (token?.kind === "name" && functions.has(token.text)) return this.call();
    if (token?.kind === "name" && token.text === inFunction) return this.inCall();
    return this.comparison();
  }

  private column(): string {
    const token = this.next();
    if (token.kind !== "name") this.fail(`a property name expected, got '${token.text}'`);
    if (!this.known(token.text)) throw badProperty(`Could not find a property named '${token.text}' on type 'Microsoft.Dynamics.CRM.entity'.`);
    return token.text;
  }

  private call(): Filter {
    const name = this.next().text as "contains" | "startswith" | "endswith";
    this.expect("(");
    const column = this.column();
    this.expect(",");
    const value = this.literal();
    this.expect(")");
    if (typeof value !== "string") this.fail(`${name} takes a string`);
    return { kind: "function", name, column, value: value as string };
  }

  /** `Microsoft.Dynamics.CRM.In(PropertyName='col',PropertyValues=['a','b'])`. */
  private inCall(): Filter {
    this.next();
    this.expect("(");
    this.parameter("PropertyName");
    const name = this.literal();
    if (typeof name !== "string") this.fail("PropertyName takes a string");
    if (!this.known(name as string)) throw badProperty(`Could not find a property named '${String(name)}' on type 'Microsoft.Dynamics.CRM.entity'.`);
    this.expect(",");
    this.parameter("PropertyValues");
    this.expect("[");
    const values: string[] = [];
    while (this.peek()?.text !== "]") {
      if (values.length > 0) this.expect(",");
      const value = this.literal();
      if (typeof value !== "string") this.fail("PropertyValues takes strings");
      values.push(value as string);
    }
    this.expect("]");
    this.expect(")");
    return { kind: "in", column: name as string, values };
  }

  private parameter(name: string): void {
    if (this.next().text !== name) this.fail(`'${name}' expected`);
    this.expect("=");
  }

  private comparison(): Filter {
    const column = this.column();
    const op = this.next().text;
    if (!compareOps.has(op)) this.fail(`an operator expected after ${column}, got '${op}'`);
    return { kind: "compare", column, op: op as CompareOp, value: this.literal() };
  }

  private literal(): Literal {
    const token = this.next();
    switch (token.kind) {
      case "string":
        return token.text.slice(1, -1).replace(/''/g, "'");
      case "number":
        return Number(token.text);
      case "guid":
        return token.text.toLowerCase();
      case "datetime":
        return { datetime: Date.parse(token.text) };
      case "name":
        if (token.text === "true" || token.text === "false") return token.text === "true";
        if (token.text === "null") return null;
        return this.fail(`a literal expected, got '${token.text}'`);
      default:
        return this.fail(`a literal expected, got '${token.text}'`);
    }
  }
}

/** Parses `$filter`; unknown columns are refused the way Dataverse refuses them. */
export function parseFilter(text: string, known: (column: string) => boolean, typeName: string): Filter {
  try {
    return new Parser(tokenize(text), text, known).parse();
  } catch (error) {
    // The parser does not know the table's name; the message Dataverse gives does.
    if (error instanceof Error) error.message = error.message.replace("Microsoft.Dynamics.CRM.entity", `Microsoft.Dynamics.CRM.${typeName}`);
    throw error;
  }
}

/** -1, 0, 1, or undefined when the two cannot be ordered (a null, different types). */
export function compareValues(a: unknown, b: unknown): number | undefined {
  if (a === null || a === undefined || b === null || b === undefined) return undefined;
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (typeof a === "string" && typeof b === "string") {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return undefined;
}

function asComparable(value: unknown, literal: Literal): [unknown, unknown] {
  if (literal !== null && typeof literal === "object") return [typeof value === "string" ? Date.parse(value) : value, literal.datetime];
  return [value, literal];
}

export function matches(filter: Filter, row: Record<string, unknown>): boolean {
  switch (filter.kind) {
    case "and":
      return matches(filter.left, row) && matches(filter.right, row);
    case "or":
      return matches(filter.left, row) || matches(filter.right, row);
    case "not":
      return !matches(filter.operand, row);
    case "in": {
      const value = row[filter.column];
      return value !== null && value !== undefined && filter.values.some((v) => compareValues(typeof value === "string" ? value : String(value), v) === 0);
    }
    case "function": {
      const value = row[filter.column];
      if (typeof value !== "string") return false;
      const [haystack, needle] = [value.toLowerCase(), filter.value.toLowerCase()];
      return filter.name === "contains" ? haystack.includes(needle) : filter.name === "startswith" ? haystack.startsWith(needle) : haystack.endsWith(needle);
    }
    case "compare": {
      const stored = row[filter.column] ?? null;
      if (filter.value === null || stored === null) {
        const same = filter.value === null && stored === null;
        return filter.op === "eq" ? same : filter.op === "ne" ? !same : false;
      }
      const order = compareValues(...asComparable(stored, filter.value));
      if (order === undefined) return filter.op === "ne";
      return { eq: order === 0, ne: order !== 0, gt: order > 0, ge: order >= 0, lt: order < 0, le: order <= 0 }[filter.op];
    }
  }
}

/** The values an `eq` or `In` on `column` at the top of the filter (its `and` chain) asks for: lets the store use its key index. */
export function equalityOn(filter: Filter, column: string): string[] | undefined {
  if (filter.kind === "compare" && filter.op === "eq" && filter.column === column && typeof filter.value === "string") return [filter.value];
  if (filter.kind === "in" && filter.column === column) return filter.values;
  if (filter.kind === "and") return equalityOn(filter.left, column) ?? equalityOn(filter.right, column);
  return undefined;
}
