import { z } from "zod";
import { compareInstants } from "../../domain/inbound";
import type { CrmChange, CrmEntity, CrmInbound } from "../../ports/crm-inbound";
import type { CallContext } from "../../ports/crm-outbound";
import type { Transport } from "../kit/transport";
import { loadedOnce, send } from "./connection";
import { customKey, dealFields } from "./field-names";
import { customFieldsByName } from "./schema-setup";
import { listSchema, searchResponseSchema } from "./schemas";

/** Changes listed a call, at most. */
const changesPageSize = 200;
/** Search pages read in one call while they hold only changes already seen (records sharing the checkpoint's time). */
const maxPagesPerCall = 10;

const changed = z.looseObject({ id: z.string(), date_updated: z.string() });
/** A changed record; `ours`: a record the adapter owns (a cart's opportunity), never a CRM change. */
type Changed = z.infer<typeof changed> & { ours?: boolean };

/** Close's `+00:00` times in the port's UTC form, their microseconds kept. */
const utc = (time: string) => time.replace(/\+00:00$/, "Z");

/** Contacts (people) and leads (companies) by the search API; opportunities (deals) by their list's date filter. */
const searchTypes: Partial<Record<CrmEntity, "contact" | "lead">> = { person: "contact", company: "lead" };

function searchQuery(type: "contact" | "lead", since: string | undefined) {
  const ofType = { type: "object_type", object_type: type };
  const dateField = { type: "regular_field", object_type: type, field_name: "date_updated" };
  return {
    query: since ? { type: "and", queries: [ofType, { type: "field_condition", field: dateField, condition: { type: "moment_range", on_or_after: { type: "fixed_utc", value: since } } }] } : ofType,
    sort: [{ direction: "asc", field: dateField }],
    _fields: { [type]: ["id", "date_updated"] },
    _limit: changesPageSize,
  };
}

/**
 * Polling Close: records changed since the checkpoint (the last change's
 * time and ID), oldest first. The search's time condition is inclusive and
 * to the millisecond; what the checkpoint already covers is dropped here.
 */
export function closeChanges(transport: Transport): Pick<CrmInbound, "changesSince" | "checkpointAt"> {
  // The deal-key field marks our cart opportunities; merchants do not rename it, so a few minutes' cache will do.
  const dealKeyField = loadedOnce(async (ctx) => (await customFieldsByName({ transport, ctx }, "opportunity")).get(dealFields.dealKey.name)?.[0]?.id, 5 * 60_000);

  async function* pages(entity: CrmEntity, since: string | undefined, ctx: CallContext): AsyncGenerator<Changed[]> {
    const call = { transport, ctx };
    const type = searchTypes[entity];
    if (type) {
      let cursor: string | undefined;
      do {
        const page = await send(call, "POST", "/data/search/", searchResponseSchema, { json: { ...searchQuery(type, since), ...(cursor ? { cursor } : {}) } });
        yield z.array(changed).parse(page.data);
        cursor = page.cursor ?? undefined;
      } while (cursor);
      return;
    }
    const keyField = await dealKeyField(ctx);
    const ownKey = keyField ? customKey(keyField) : undefined;
    for (let skip = 0; ; skip += changesPageSize) {
      const fields = ["id", "date_updated", ...(ownKey ? [ownKey] : [])].join(",");
      const query = { _order_by: "date_updated", _skip: skip, _limit: changesPageSize, _fields: fields, ...(since ? { date_updated__gte: since } : {}) };
      const page = await send(call, "GET", "/opportunity/", listSchema(changed), { query });
      // Our cart opportunities are passed over, the checkpoint still moving past them (see isOwnCartOpportunity).
      yield page.data.map((o) => ({ ...o, ours: ownKey !== undefined && typeof o[ownKey] === "string" }));
      if (page.has_more !== true) return;
    }
  }

  return {
    checkpointAt: (instant) => new Date(instant).toISOString(),

    async changesSince(entity, checkpoint, ctx) {
      const [since, lastId] = checkpoint?.split(" ") ?? [];
      const after = (r: { time: string; id: string }) => {
        if (!since) return true;
        const order = compareInstants(r.time, since);
        return order > 0 || (order === 0 && lastId !== undefined && r.id > lastId);
      };
      const found: { time: string; id: string; ours: boolean }[] = [];
      let read = 0;
      for await (const page of pages(entity, since, ctx)) {
        found.push(...page.map((r) => ({ time: utc(r.date_updated), id: r.id, ours: r.ours === true })).filter(after));
        if (found.length > 0 || ++read >= maxPagesPerCall) break;
      }
      found.sort((a, b) => compareInstants(a.time, b.time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const listed = found.slice(0, changesPageSize);
      const changes = listed
        .filter((r) => !r.ours)
        .map((r): CrmChange => ({ entity, crmId: r.id, action: "updated", modifiedAt: r.time, deliveryId: `close-poll:${r.id}:${r.time}` }));
      const last = listed.at(-1);
      return { changes, checkpoint: last ? `${last.time} ${last.id}` : checkpoint };
    },
  };
}
