import { badProperty, codes, DataverseError } from "./errors";
import { maxPageSize, parseQuery, parseSelect, project, queryPage } from "./query";
import { parseKey, type DataverseStore, type Row, type UnitOfWork } from "./store";
import { tableBySet, type TableDef } from "./tables";

/** One Web API request, over HTTP or as a `$batch` part: path below the service root (`contacts(…)`), decoded. */
export type ApiRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: string;
};

export type ApiResponse = { status: number; headers: Record<string, string>; body?: unknown };

export type ApiContext = {
  store: DataverseStore;
  unit: UnitOfWork;
  /** `http://host/api/data/v9.2`: what OData-EntityId and next links start with. */
  serviceRoot: string;
  organizationId: string;
  businessUnitId: string;
};

/** `Prefer: return=representation, odata.maxpagesize=50` → its preferences by name. */
export function preferences(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(",")) {
    const [name, value = ""] = part.trim().split("=", 2);
    if (name) out.set(name.trim(), value.trim().replace(/^"|"$/g, ""));
  }
  return out;
}

/** Whether the request asks for annotations (lookups' target tables among them). */
const annotated = (request: ApiRequest) => preferences(request.headers.prefer).has("odata.include-annotations");

function jsonBody(request: ApiRequest): Row {
  const type = request.headers["content-type"] ?? "";
  if (!type.startsWith("application/json")) throw new DataverseError(415, codes.badRequest, `The content type '${type}' is not supported; send application/json.`);
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw new DataverseError(400, codes.badRequest, "The request body is not valid JSON.");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new DataverseError(400, codes.badRequest, "The request body must be a JSON object.");
  return body as Row;
}

const entityPath = (ctx: ApiContext, table: TableDef, row: Row) => `${ctx.serviceRoot}/${table.entitySet}(${String(row[table.primaryKey])})`;

function context(ctx: ApiContext, table: TableDef, select: string[] | undefined, single: boolean): string {
  return `${ctx.serviceRoot}/$metadata#${table.entitySet}${select ? `(${select.join(",")})` : ""}${single ? "/$entity" : ""}`;
}

/** A written record's answer: 204 with OData-EntityId, or the record itself when `return=representation` is preferred. */
function written(ctx: ApiContext, request: ApiRequest, table: TableDef, row: Row, status: 200 | 201): ApiResponse {
  const headers = { "OData-EntityId": entityPath(ctx, table, row) };
  if (!preferences(request.headers.prefer).has("return")) return { status: 204, headers };
  const select = parseSelect(table, request.query);
  return {
    status,
    headers: { ...headers, "Preference-Applied": "return=representation" },
    body: { "@odata.context": context(ctx, table, select, true), ...project(table, row, select, annotated(request)) },
  };
}

function collection(ctx: ApiContext, request: ApiRequest, table: TableDef): ApiResponse {
  const query = parseQuery(table, request.query);
  const asked = Number(preferences(request.headers.prefer).get("odata.maxpagesize"));
  const pageSize = Number.isInteger(asked) && asked > 0 ? Math.min(asked, maxPageSize) : maxPageSize;
  const page = queryPage(ctx.store, table, query, pageSize);
  const body: Row = { "@odata.context": context(ctx, table, query.select, false), value: page.rows.map((row) => project(table, row, query.select, annotated(request))) };
  if (page.nextToken) {
    const params = [...request.query.entries()].filter(([name]) => name !== "$skiptoken");
    params.push(["$skiptoken", page.nextToken]);
    body["@odata.nextLink"] = `${ctx.serviceRoot}/${table.entitySet}?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`;
  }
  return { status: 200, headers: Number.isInteger(asked) && asked > 0 ? { "Preference-Applied": `odata.maxpagesize=${pageSize}` } : {}, body };
}

const notAllowed = (method: string) => new DataverseError(405, codes.badProperty, `The HTTP method '${method}' is not allowed for this resource.`);

/**
 * The Web API's record routes: collections (GET query, POST create), single
 * records by primary or alternate key (GET, PATCH upsert, DELETE), and
 * WhoAmI. Errors are thrown as DataverseErrors; the caller renders them.
 */
export async function execute(request: ApiRequest, ctx: ApiContext): Promise<ApiResponse> {
  if (/^WhoAmI(\(\))?$/.test(request.path) && request.method === "GET") {
    return {
      status: 200,
      headers: {},
      body: { "@odata.context": `${ctx.serviceRoot}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`, BusinessUnitId: ctx.businessUnitId, UserId: ctx.unit.userId, OrganizationId: ctx.organizationId },
    };
  }
  const closing = /^(Win|Lose)Opportunity$/.exec(request.path);
  if (closing) {
    if (request.method !== "POST") throw notAllowed(request.method);
    const body = jsonBody(request);
    const activity = body.OpportunityClose;
    if (!activity || typeof activity !== "object" || Array.isArray(activity)) throw badProperty("The parameter 'OpportunityClose' is required.");
    ctx.store.closeOpportunity(closing[1] === "Win" ? 1 : 2, body.Status, activity as Row, ctx.unit);
    return { status: 204, headers: {} };
  }
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/.exec(request.path);
  const table = match ? tableBySet(match[1]!) : undefined;
  if (!match || !table) throw badProperty(`Resource not found for the segment '${request.path.split(/[(/]/)[0]}'.`);

  if (match[2] === undefined) {
    if (request.method === "GET") return collection(ctx, request, table);
    if (request.method !== "POST") throw notAllowed(request.method);
    const row = await ctx.store.create(table, jsonBody(request), ctx.unit);
    return written(ctx, request, table, row, 201);
  }

  const key = parseKey(match[2]);
  if (!key) throw new DataverseError(400, codes.badRequest, `Bad Request - Error in query syntax: the key '${match[2]}' is not valid.`);
  switch (request.method) {
    case "GET": {
      const select = parseSelect(table, request.query);
      const row = ctx.store.get(table, key);
      return { status: 200, headers: {}, body: { "@odata.context": context(ctx, table, select, true), ...project(table, row, select, annotated(request)) } };
    }
    case "PATCH": {
      const conditions = { ifMatch: request.headers["if-match"], ifNoneMatch: request.headers["if-none-match"] };
      const { row, created } = await ctx.store.upsert(table, key, jsonBody(request), conditions, ctx.unit);
      return written(ctx, request, table, row, created ? 201 : 200);
    }
    case "DELETE":
      ctx.store.remove(table, key, ctx.unit);
      return { status: 204, headers: {} };
    default:
      throw notAllowed(request.method);
  }
}

/** A thrown error as the answer Dataverse gives; anything unexpected is its 500. */
export function errorResponse(error: unknown): ApiResponse {
  if (error instanceof DataverseError) return { status: error.status, headers: error.headers, body: error.body };
  return { status: 500, headers: {}, body: { error: { code: codes.unexpected, message: "An unexpected error occurred." } } };
}
