import express, { type Router } from "express";
import { objectBody } from "../body";
import { ApiError, FieldErrors } from "../errors";
import { pick, renderContact, renderLead } from "../render";
import { decodeCursor, runSearch, searchRequestSchema } from "../search";
import type { SearchIndex } from "../search-index";
import type { CloseStore } from "../store";

/** `POST /data/search/` → `{data: [{__object_type, id, ..._fields}], cursor}`. */
export function searchRoutes(store: CloseStore, index: SearchIndex): Router {
  const r = express.Router({ strict: true });
  r.post("/data/search/", (req, res) => {
    const parsed = searchRequestSchema.safeParse(objectBody(req));
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) errors[issue.path.join(".") || "query"] ??= issue.message;
      throw new FieldErrors(errors);
    }
    const request = parsed.data;
    const offset = decodeCursor(request.cursor, request);
    if (offset === undefined) throw new ApiError(400, "Invalid cursor.");
    const { items, cursor, total } = runSearch(store, request, offset, index);
    const data = items.map((item) => {
      const rendered = item.type === "lead" ? renderLead(store, item.record) : renderContact(item.record);
      const wanted = request._fields?.[item.type] ?? [];
      return { __object_type: item.type, id: item.record.id, ...pick(rendered, wanted) };
    });
    res.json({ data, cursor, ...(request.include_counts ? { count: { total } } : {}) });
  });
  return r;
}
