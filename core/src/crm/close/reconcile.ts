import type { Company, OrderActivity, Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, ReconciledKind, SyncedPerson, SyncedRecord } from "../../ports/crm-outbound";
import { listAll, removeQuietly, type Call } from "./connection";
import { customKey, type CloseSchema } from "./field-names";
import { contactBody, firstOf, namedSchema, orderValues } from "./mapping";
import { activitySchema, type CloseActivity, type SearchHit } from "./schemas";
import { findByCustomValues, leadsWithAnyText, searchAll, searchPage, withCustomField } from "./search";

/**
 * Contact values compared by reconciliation, in one normalised form on both
 * sides: the name, the first email (lower-case) and phone, the roles value.
 */
function comparable(body: Record<string, unknown>, rolesKey: string): Record<string, ComparableValue> {
  const email = firstOf(body.emails, "email");
  return {
    name: typeof body.name === "string" && body.name !== "" ? body.name : null,
    email: email ? email.toLowerCase() : null,
    phone: firstOf(body.phones, "phone") ?? null,
    roles: typeof body[rolesKey] === "string" ? (body[rolesKey] as string) : null,
  };
}

/** A unit's lead as compared: its name and its parent unit (none for a Company). */
function companyValues(name: unknown, parent: unknown): Record<string, ComparableValue> {
  return { name: typeof name === "string" && name !== "" ? name : null, parentBusinessUnitId: typeof parent === "string" && parent !== "" ? parent : null };
}

/** An order activity as compared: total (major units), currency and states. */
function orderComparable(values: Record<string, unknown>, f: CloseSchema["order"]): Record<string, ComparableValue> {
  const text = (field: string) => (typeof values[customKey(field)] === "string" ? (values[customKey(field)] as string) : null);
  const total = values[customKey(f.total)];
  return {
    total: typeof total === "number" ? total : null,
    currency: text(f.currency),
    orderState: text(f.orderState),
    paymentState: text(f.paymentState),
    shipmentState: text(f.shipmentState),
  };
}

/** Lead IDs in one activity list request: keeps its URL under the 2,000 characters Close recommends. */
const leadsPerActivityList = 40;

/**
 * The order activities of these commercetools order IDs. Close cannot search
 * activities, so the leads holding the orders are found by their order-ID
 * list (`ct_order_ids`, one text search for all IDs), then their order
 * activities are listed (several leads a request) and matched on the order ID.
 */
async function orderActivitiesOf(c: Call, orderIds: string[]): Promise<CloseActivity[]> {
  const orderIdKey = customKey(c.schema.order.orderId);
  const leads = await searchAll(c, leadsWithAnyText(c.schema.lead.orderIds, orderIds), { lead: ["id"] });
  const wanted = new Set(orderIds);
  const leadIds = [...new Set(leads.map((l) => l.id))];
  const found: CloseActivity[] = [];
  for (let i = 0; i < leadIds.length; i += leadsPerActivityList) {
    const query = { lead_id: leadIds.slice(i, i + leadsPerActivityList).join(","), custom_activity_type_id: c.schema.orderActivityTypeId };
    for (const activity of await listAll(c, "/activity/custom/", activitySchema, query)) {
      const orderId = activity[orderIdKey];
      if (typeof orderId === "string" && wanted.has(orderId)) found.push(activity);
    }
  }
  return found;
}

/** Close: synced contacts through the search API (`exists` on our ID field), 200 a page, cursor paging. */
export function closeReconciliation(call: (ctx: CallContext) => Promise<Call>): CrmReconciliation {
  return {
    async readSynced(kind: ReconciledKind, sourceIds: string[], ctx: CallContext): Promise<SyncedRecord[]> {
      const c = await call(ctx);
      const records = (hits: Map<string, SearchHit[]>, values: (hit: SearchHit) => Record<string, ComparableValue>) =>
        [...hits].flatMap(([sourceId, found]) => found.map((hit) => ({ crmId: hit.id, sourceId, values: values(hit) })));
      switch (kind) {
        case "person": {
          const rolesKey = customKey(c.schema.contact.roles);
          const hits = await findByCustomValues(c, "contact", c.schema.contact.customerId, sourceIds, ["name", "emails", "phones", rolesKey]);
          return records(hits, (hit) => comparable(hit, rolesKey));
        }
        case "company": {
          const parentKey = customKey(c.schema.lead.parentBusinessUnitId);
          const hits = await findByCustomValues(c, "lead", c.schema.lead.businessUnitId, sourceIds, ["name", parentKey]);
          return records(hits, (hit) => companyValues(hit.name, hit[parentKey]));
        }
        case "order": {
          const orderIdKey = customKey(c.schema.order.orderId);
          return (await orderActivitiesOf(c, sourceIds)).map((a) => ({ crmId: a.id, sourceId: a[orderIdKey] as string, values: orderComparable(a, c.schema.order) }));
        }
      }
    },

    expectedValues(record: Company | OrderActivity) {
      if (record.kind === "company") return companyValues(record.name, record.unitType === "Division" ? record.parentSourceId : undefined);
      return orderComparable(orderValues(record, namedSchema), namedSchema.order);
    },

    expectedPersonValues(person: Person) {
      // Field IDs are not needed to build the values compared: our fields under their names will do.
      const values = comparable(contactBody(person, namedSchema), customKey(namedSchema.contact.roles));
      // Absent on the canonical side: our PUT leaves the Close value alone, so it is not compared.
      if (!person.phone) delete values.phone;
      if (!person.roles || person.roles.length === 0) delete values.roles;
      if (!person.email) delete values.email;
      return values;
    },

    async listPeople(cursor: string | undefined, ctx: CallContext) {
      const c = await call(ctx);
      const idKey = customKey(c.schema.contact.customerId);
      const rolesKey = customKey(c.schema.contact.roles);
      const answer = await searchPage(c, withCustomField("contact", c.schema.contact.customerId), { contact: ["id", idKey, "name", "emails", "phones", rolesKey] }, cursor);
      const people: SyncedPerson[] = answer.data
        .filter((hit) => typeof hit[idKey] === "string")
        .map((hit) => ({ crmId: hit.id, sourceId: hit[idKey] as string, values: comparable(hit, rolesKey) }));
      return answer.cursor ? { people, cursor: answer.cursor } : { people };
    },

    async deletePerson(crmId: string, ctx: CallContext) {
      await removeQuietly(await call(ctx), `/contact/${encodeURIComponent(crmId)}/`);
    },
  };
}
