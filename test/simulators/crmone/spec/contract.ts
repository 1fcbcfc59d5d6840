import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import type { Exchange } from "../recorder";

/**
 * Checks exchanges with the simulator against the third-party 1CRM OpenAPI
 * (Swagger 2.0) files, read where CI lays them: `shared/reference/1crm-openapi/`
 * beside the repository (GPL-3.0: read from there, never copied in).
 *
 * For each answered exchange (2xx):
 * - the model has a file and the file the path and method;
 * - every query parameter is one the operation declares (`fields[]` and
 *   `filters[name]` are the array/object forms of `fields` and `filters`);
 * - a request body validates against the operation's body schema, with the
 *   record definition's `required` list dropped: those fields are the ones an
 *   answer always carries (`assigned_user` is the display name of the
 *   assigned user, which no client writes), and 1CRM's own examples create
 *   records with a few fields. Every field written must be one the definition
 *   names or a custom field the instance declares;
 * - the status is one the operation declares (where it declares any), and
 *   the answer validates against its schema, required fields included for a
 *   whole record (a list, or `fields[]`, answers some fields only).
 */
const specDir = new URL("../../../../../shared/reference/1crm-openapi/", import.meta.url);

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: string; schema?: Schema };
type Operation = { parameters?: Parameter[]; responses?: Record<string, { schema?: Schema }> };
type Spec = { paths: Record<string, Record<string, Operation>>; definitions: Record<string, Schema> };

export type Violation = { exchange: string; problem: string };

let loaded: { specs: Map<string, Spec>; ajv: Ajv } | undefined;

function withoutRequired(definitions: Record<string, Schema>): Record<string, Schema> {
  return Object.fromEntries(Object.entries(definitions).map(([name, schema]) => [name, { ...schema, required: [] }]));
}

function load() {
  if (loaded) return loaded;
  const dir = fileURLToPath(specDir);
  if (!existsSync(dir)) throw new Error(`the 1CRM OpenAPI files are not at ${dir} (CI lays shared/ beside the clone)`);
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  const specs = new Map<string, Spec>();
  for (const file of readdirSync(dir).filter((f) => /^1crm\w+\.swagger\.json$/.test(f))) {
    const model = /^1crm(\w+)\.swagger\.json$/.exec(file)![1]!;
    // YAML reads JSON, and forgives the trailing comma one of these files has.
    const spec = parse(readFileSync(new URL(file, specDir), "utf8")) as Spec;
    specs.set(model, spec);
    ajv.addSchema({ $id: `1crm-${model}`, definitions: spec.definitions });
    ajv.addSchema({ $id: `1crm-${model}-partial`, definitions: withoutRequired(spec.definitions) });
  }
  loaded = { specs, ajv };
  return loaded;
}

const compiled = new Map<string, ValidateFunction>();
function validator(ajv: Ajv, schema: Schema, base: string): ValidateFunction {
  const text = JSON.stringify(schema).replaceAll('"#/definitions/', `"${base}#/definitions/`);
  let fn = compiled.get(text);
  if (!fn) {
    fn = ajv.compile(JSON.parse(text) as Schema);
    compiled.set(text, fn);
  }
  return fn;
}

/** The file and path template an exchange belongs to: `/data/{Model}`, `/data/{Model}/{id}`, or `/webhooks` (by the body's model). */
function locate(exchange: Exchange): { model: string; template: string } | undefined {
  const data = /^\/data\/(\w+)(\/[^/]+)?$/.exec(exchange.path);
  if (data) return { model: data[1]!, template: data[2] ? `/data/${data[1]}/{id}` : `/data/${data[1]}` };
  if (exchange.path === "/webhooks") {
    const model = (exchange.body as { model?: unknown } | undefined)?.model;
    return typeof model === "string" ? { model, template: "/webhooks" } : undefined;
  }
  return undefined;
}

/** Fields written in a data body that the definition does not name and the instance did not add. */
function undeclaredFields(body: unknown, definition: Schema | undefined, customFields: readonly string[]): string[] {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (!data || typeof data !== "object") return [];
  const declared = new Set([...Object.keys((definition?.properties as Schema | undefined) ?? {}), ...customFields]);
  return Object.keys(data).filter((field) => !declared.has(field));
}

export function checkExchange(exchange: Exchange, customFields: Record<string, readonly string[]>): Violation[] {
  const { specs, ajv } = load();
  const label = `${exchange.method} ${exchange.path.replace(/\/data\/(\w+)\/[^/]+$/, "/data/$1/{id}")}`;
  const where = locate(exchange);
  const spec = where ? specs.get(where.model) : undefined;
  const operation = where && spec ? spec.paths[where.template]?.[exchange.method.toLowerCase()] : undefined;
  if (!where || !spec || !operation) return [{ exchange: label, problem: "no such operation in the 1CRM OpenAPI files" }];
  const problems: string[] = [];

  const declared = new Set((operation.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name));
  for (const [key] of exchange.query) {
    const name = key.replace(/\[[^\]]*\]$/, "");
    if (!declared.has(name)) problems.push(`query parameter ${key} is not declared`);
  }

  const bodySchema = operation.parameters?.find((p) => p.in === "body")?.schema;
  if (exchange.method === "POST" || exchange.method === "PATCH") {
    if (!bodySchema) problems.push("operation takes no body");
    else {
      const validate = validator(ajv, bodySchema, `1crm-${where.model}-partial`);
      if (!validate(exchange.body)) problems.push(`request body: ${ajv.errorsText(validate.errors)}`);
      const extra = undeclaredFields(exchange.body, spec.definitions[where.model], customFields[where.model] ?? []);
      if (extra.length > 0) problems.push(`request body writes fields neither the definition nor the instance has: ${extra.join(", ")}`);
    }
  }

  const responses = operation.responses ?? {};
  if (Object.keys(responses).length > 0) {
    const response = responses[String(exchange.status)];
    if (!response) problems.push(`status ${exchange.status} is not declared (declared: ${Object.keys(responses).join(", ")})`);
    // Fields asked for, or a list: a list without `fields[]` answers "a limited number of fields" (the files' own words).
    const trimmed = exchange.query.some(([key]) => key === "fields[]") || (exchange.method === "GET" && !where.template.endsWith("{id}"));
    if (response?.schema && exchange.response !== undefined) {
      const validate = validator(ajv, response.schema, `1crm-${where.model}${trimmed ? "-partial" : ""}`);
      if (!validate(exchange.response)) problems.push(`response body: ${ajv.errorsText(validate.errors)}`);
    }
  }
  return problems.map((problem) => ({ exchange: label, problem }));
}

/** Violations of every answered (2xx) exchange, each operation and problem once. */
export function checkExchanges(exchanges: readonly Exchange[], customFields: Record<string, readonly string[]>): Violation[] {
  const seen = new Map<string, Violation>();
  for (const exchange of exchanges.filter((e) => e.status >= 200 && e.status < 300)) {
    for (const v of checkExchange(exchange, customFields)) seen.set(`${v.exchange} ${v.problem}`, v);
  }
  return [...seen.values()];
}

/** Every operation an exchange list reached, per model: proof of what a check covered. */
export function coveredOperations(exchanges: readonly Exchange[]): Set<string> {
  return new Set(
    exchanges
      .filter((e) => e.status >= 200 && e.status < 300)
      .flatMap((e) => {
        const where = locate(e);
        return where ? [`${e.method} ${where.template}`] : [];
      }),
  );
}
