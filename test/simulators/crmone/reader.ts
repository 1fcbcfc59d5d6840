import { z } from "zod";

const tokenAnswer = z.object({ access_token: z.string() });
const listAnswer = z.object({ records: z.array(z.record(z.string(), z.unknown())), total_results: z.number() });
const recordAnswer = z.object({ record: z.record(z.string(), z.unknown()) });

export type CrmOneRow = Record<string, unknown>;

/**
 * The API as a 1CRM user (or an admin script) uses it: a client-credentials
 * token, then lists, records and writes. For tests and the sandbox, which read
 * and change the instance the way people do, independent of the adapter.
 */
export function crmOneReader(apiUrl: string, credentials: { clientId: string; clientSecret: string }) {
  let token: Promise<string> | undefined;
  const authorization = async () => {
    token ??= fetch(`${apiUrl}/auth/user/access_token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret, scope: "read write profile" }),
    }).then(async (r) => tokenAnswer.parse(await r.json()).access_token);
    return `Bearer ${await token}`;
  };
  const call = async (method: string, path: string, body?: unknown, retried = false): Promise<unknown> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: await authorization(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 401 && !retried) {
      // The token expired or was revoked: one new one.
      token = undefined;
      await response.arrayBuffer();
      return call(method, path, body, true);
    }
    if (!response.ok) throw new Error(`CRM One ${method} ${path.split("?")[0]}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const query = (fields: readonly string[], filters: Record<string, string>, extra: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const f of fields) params.append("fields[]", f);
    for (const [name, value] of Object.entries(filters)) params.append(`filters[${name}]`, value);
    for (const [name, value] of Object.entries(extra)) params.append(name, value);
    return params.toString();
  };

  return {
    /** One page, as `GET /data/{Model}?...` answers it. */
    page: async (model: string, options: { fields?: readonly string[]; filters?: Record<string, string>; offset?: number; limit?: number; order?: string } = {}) =>
      listAnswer.parse(
        await call(
          "GET",
          `/data/${model}?${query(options.fields ?? [], options.filters ?? {}, {
            ...(options.order ? { order: options.order } : {}),
            offset: String(options.offset ?? 0),
            limit: String(options.limit ?? 200),
          })}`,
        ),
      ),
    /** Every record of the model matching the filters, page by page. */
    async all(model: string, fields: readonly string[], filters: Record<string, string> = {}): Promise<CrmOneRow[]> {
      const rows: CrmOneRow[] = [];
      for (;;) {
        const page = await this.page(model, { fields, filters, offset: rows.length });
        rows.push(...page.records);
        if (page.records.length === 0 || rows.length >= page.total_results) return rows;
      }
    },
    get: async (model: string, id: string, fields: readonly string[] = []) => recordAnswer.parse(await call("GET", `/data/${model}/${id}?${query(fields, {}, {})}`)).record,
    update: (model: string, id: string, data: Record<string, unknown>) => call("PATCH", `/data/${model}/${id}`, { data }),
    create: async (model: string, data: Record<string, unknown>) => z.object({ id: z.string() }).parse(await call("POST", `/data/${model}`, { data })).id,
    /** A webhook subscription as an admin creates it: the documented default filter (records not deleted). */
    subscribe: async (model: string, url: string, type: "create" | "update" | "create_update" = "create_update") =>
      z
        .object({ id: z.string() })
        .parse(await call("POST", "/webhooks", { type, url, model, filters: { glue: "or", conditions: [{ field: "deleted", filter: "is_false", value: "0", when: "current_value" }] } })).id,
  };
}

export type CrmOneReader = ReturnType<typeof crmOneReader>;
