import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import type { RecordedRequest } from "../recorder";
import { searchRequestSchema, searchResponseSchema } from "./supplement";

/**
 * Checks requests the simulator accepted against Close's published OpenAPI
 * (plus the documented-elsewhere supplement), so neither the simulator nor
 * the adapter can drift into a private dialect:
 * - the path and method exist;
 * - every query parameter is declared for the operation;
 * - the JSON body validates against the operation's request schema;
 * - a 2xx status is one the operation declares, and the answer validates
 *   against that status's response schema (unless `_fields` trimmed it).
 * Only requests the simulator accepted (2xx) are checked: a refused request
 * is the simulator doing its job.
 */
type Schema = Record<string, unknown>;
type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const specFile = new URL("./close-openapi.yml", import.meta.url);
const methods = ["get", "post", "put", "delete", "patch"];

type Route = { template: string; pattern: RegExp; params: number; operations: Record<string, Operation> };

let loaded: { routes: Route[]; ajv: Ajv2020 } | undefined;

function load() {
  if (loaded) return loaded;
  const raw = readFileSync(specFile, "utf8").replaceAll("#/components/schemas/", "close#/$defs/");
  const spec = parse(raw) as Spec;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema({ $id: "close", $defs: spec.components.schemas });
  const routes: Route[] = Object.entries(spec.paths).map(([template, item]) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
    params: (template.match(/\{/g) ?? []).length,
    operations: Object.fromEntries(Object.entries(item).filter(([m]) => methods.includes(m))),
  }));
  routes.push({
    template: "/data/search/",
    pattern: /^\/data\/search\/$/,
    params: 0,
    operations: {
      post: {
        requestBody: { content: { "application/json": { schema: searchRequestSchema } } },
        responses: { "200": { content: { "application/json": { schema: searchResponseSchema } } } },
      },
    },
  });
  // Literal segments beat templates (/lead/merge/ before /lead/{id}/).
  routes.sort((a, b) => a.params - b.params);
  loaded = { routes, ajv };
  return loaded;
}

const compiled = new WeakMap<Schema, ValidateFunction>();
function validator(ajv: Ajv2020, schema: Schema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** "Any type" in the spec: a schema with no constraint at all. */
const isAnyType = (schema: Schema) => Object.keys(schema).every((k) => k === "description" || k === "title");

export type Violation = { request: string; problem: string };

export function findOperation(method: string, path: string): { template: string; operation: Operation } | undefined {
  const { routes } = load();
  const route = routes.find((r) => r.pattern.test(path));
  const operation = route?.operations[method.toLowerCase()];
  return route && operation ? { template: route.template, operation } : undefined;
}

export function checkRequest(entry: RecordedRequest): Violation[] {
  const { ajv } = load();
  const label = `${entry.method} ${entry.path}`;
  const found = findOperation(entry.method, entry.path);
  if (!found) return [{ request: label, problem: "no such operation in Close's OpenAPI" }];
  const { operation, template } = found;
  const at = `${entry.method} ${template}`;
  const problems: string[] = [];

  const declared = new Set((operation.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name));
  for (const name of Object.keys(entry.query)) if (!declared.has(name)) problems.push(`query parameter ${name} is not declared`);

  const requestSchema = operation.requestBody?.content?.["application/json"]?.schema;
  if (entry.method === "POST" || entry.method === "PUT") {
    if (typeof entry.body !== "object" || entry.body === null || Array.isArray(entry.body)) problems.push("body is not a JSON object");
    else if (!requestSchema) problems.push("operation takes no JSON body");
    else if (!isAnyType(requestSchema)) {
      const validate = validator(ajv, requestSchema);
      if (!validate(entry.body)) problems.push(`request body: ${ajv.errorsText(validate.errors)}`);
    }
  }

  if (entry.status >= 200 && entry.status < 300) {
    const response = operation.responses?.[String(entry.status)];
    if (!response) problems.push(`status ${entry.status} is not declared (declared: ${Object.keys(operation.responses ?? {}).join(", ")})`);
    const responseSchema = response?.content?.["application/json"]?.schema;
    const trimmed = entry.query._fields !== undefined;
    if (responseSchema && !isAnyType(responseSchema) && entry.response !== undefined && !trimmed) {
      const validate = validator(ajv, responseSchema);
      if (!validate(entry.response)) problems.push(`response body: ${ajv.errorsText(validate.errors)}`);
    }
  }
  return problems.map((problem) => ({ request: at, problem }));
}

/** Violations of every accepted (2xx) request, deduplicated by operation and problem. */
export function checkRequests(entries: RecordedRequest[]): Violation[] {
  const seen = new Map<string, Violation>();
  const accepted = entries.filter((e) => e.status >= 200 && e.status < 300);
  for (const entry of accepted) for (const v of checkRequest(entry)) seen.set(`${v.request} ${v.problem}`, v);
  return [...seen.values()];
}
