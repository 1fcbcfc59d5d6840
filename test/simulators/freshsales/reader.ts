import { z } from "zod";

export type FreshsalesObject = Record<string, unknown> & { id: number; custom_field: Record<string, unknown> };

const views = z.object({ filters: z.array(z.object({ id: z.number(), is_default: z.boolean().optional() })) });
const entityOf = { contacts: "contact", sales_accounts: "sales_account", deals: "deal" } as const;
type Module = keyof typeof entityOf;

/**
 * Reads Freshsales (the simulator) the way a Freshsales user's script
 * would: the API key in `Authorization: Token token=…`, the default list
 * view page by page, the lookup search; never through the connector or
 * the simulator's memory.
 */
export function freshsalesReader(baseUrl: string, apiKey: string) {
  const get = async (path: string, query: Record<string, string> = {}) => {
    const url = new URL(baseUrl + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const response = await fetch(url, { headers: { authorization: `Token token=${apiKey}` } });
    if (!response.ok) throw new Error(`freshsales reader: GET ${path} answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };
  return {
    get,
    /** Every record of a module, through its default view. */
    async all(module: Module): Promise<FreshsalesObject[]> {
      const view = views.parse(await get(`/${module}/filters`)).filters.find((f) => f.is_default)!.id;
      const out: FreshsalesObject[] = [];
      for (let page = 1; ; page++) {
        const answer = (await get(`/${module}/view/${view}`, { page: String(page), per_page: "100" })) as { meta: { total_pages: number } } & Record<string, FreshsalesObject[]>;
        out.push(...answer[module]!);
        if (page >= answer.meta.total_pages) return out;
      }
    },
    /** `GET /lookup?q=<value>&f=<field>&entities=<entity>`: the records whose field holds the value. */
    async lookup(module: Module, field: string, value: string): Promise<FreshsalesObject[]> {
      const answer = (await get("/lookup", { q: value, f: field, entities: entityOf[module] })) as Record<string, Record<string, FreshsalesObject[]>>;
      return answer[module]![module]!;
    },
  };
}

export type FreshsalesReader = ReturnType<typeof freshsalesReader>;
