import type { z } from "zod";
import type { CallContext } from "../../ports/crm-outbound";
import type { CloseHttp, Query } from "./http";
import { listSchema } from "./schemas";

/** Every item of a Close list endpoint, `_skip`/`_limit` page by page until `has_more` is false. */
export async function listAll<T extends z.ZodType>(
  http: CloseHttp,
  ctx: CallContext,
  path: string,
  item: T,
  query: Query = {},
): Promise<z.infer<T>[]> {
  const out: z.infer<T>[] = [];
  for (let skip = 0; ; skip += 100) {
    const page = await http.request(ctx, "GET", path, listSchema(item), { query: { ...query, _skip: skip, _limit: 100 } });
    out.push(...page.data);
    if (!page.has_more || page.data.length === 0) return out;
  }
}
