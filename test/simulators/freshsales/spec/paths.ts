/**
 * Freshsales has no official client or OpenAPI file. The independent
 * reference is the community description in the public repository
 * api-evangelist/freshsales (openapi/freshsales-openapi.yml, "generated from
 * public documentation; not an official spec"): its operations are written
 * out below by hand as method and path (relative to the API base), nothing
 * else taken from it. What Freshsales' own API reference documents but that
 * file lacks is listed apart, so a check can say which list a request matched.
 */
export type Operation = `${"GET" | "POST" | "PUT" | "DELETE"} /${string}`;

export const communityDescription: readonly Operation[] = [
  "POST /contacts",
  "GET /contacts/{id}",
  "PUT /contacts/{id}",
  "DELETE /contacts/{id}",
  "GET /contacts/view/{view_id}",
  "POST /contacts/upsert",
  "POST /contacts/bulk_upsert",
  "POST /contacts/bulk_destroy",
  "GET /contacts/{id}/activities",
  "POST /sales_accounts",
  "GET /sales_accounts/{id}",
  "PUT /sales_accounts/{id}",
  "DELETE /sales_accounts/{id}",
  "GET /sales_accounts/view/{view_id}",
  "POST /deals",
  "GET /deals/{id}",
  "PUT /deals/{id}",
  "DELETE /deals/{id}",
  "GET /deals/view/{view_id}",
  "GET /tasks",
  "POST /tasks",
  "GET /tasks/{id}",
  "PUT /tasks/{id}",
  "DELETE /tasks/{id}",
  "GET /appointments",
  "POST /appointments",
  "GET /appointments/{id}",
  "PUT /appointments/{id}",
  "DELETE /appointments/{id}",
  "POST /notes",
  "PUT /notes/{id}",
  "DELETE /notes/{id}",
  "GET /lists",
  "POST /lists",
  "PUT /lists/{id}",
  "POST /cpq/products",
  "GET /cpq/products/{id}",
  "PUT /cpq/products/{id}",
  "POST /sales_activities",
  "GET /search",
  "POST /phone_calls",
  "GET /job_statuses/{id}",
];

/** In the vendor's API reference (crm-contracts.md, Freshsales), missing from the community file. */
export const vendorReferenceOnly: readonly Operation[] = [
  "GET /lookup",
  "POST /sales_accounts/upsert",
  "POST /sales_accounts/bulk_upsert",
  "POST /deals/upsert",
  "POST /deals/bulk_upsert",
  "GET /contacts/filters",
  "GET /sales_accounts/filters",
  "GET /deals/filters",
  "GET /settings/contacts/fields",
  "GET /settings/sales_accounts/fields",
  "GET /settings/deals/fields",
  "GET /selector/deal_stages",
  "POST /filtered_search/{entity}",
];

type Route = { operation: Operation; pattern: RegExp; source: "community" | "vendor-reference"; params: number };

const routes: Route[] = [
  ...communityDescription.map((operation) => ({ operation, source: "community" as const })),
  ...vendorReferenceOnly.map((operation) => ({ operation, source: "vendor-reference" as const })),
]
  .map(({ operation, source }) => {
    const [method, path] = operation.split(" ") as [string, string];
    return { operation, source, params: (path.match(/\{/g) ?? []).length, pattern: new RegExp(`^${method} ${path.replace(/\{[^}]+\}/g, "[^/]+")}$`) };
  })
  // Literal segments before templates: /contacts/upsert is not /contacts/{id}.
  .sort((a, b) => a.params - b.params);

/** The listed operation a request matches, and which list it comes from; undefined for a request nobody documents. */
export function operationOf(method: string, path: string): { operation: Operation; source: Route["source"] } | undefined {
  const route = routes.find((r) => r.pattern.test(`${method.toUpperCase()} ${path}`));
  return route && { operation: route.operation, source: route.source };
}

/** Requests (method and path below the API base) that match no documented operation, each named once. */
export function undocumented(requests: readonly { method: string; path: string }[]): string[] {
  return [...new Set(requests.filter((r) => !operationOf(r.method, r.path)).map((r) => `${r.method} ${r.path}`))];
}
