import type { Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, SyncedPerson } from "../../ports/crm-outbound";
import { deleteQuietly, type Call } from "./context";
import { customKey } from "./field-names";
import { contactBody } from "./mapping";
import { searchResponseSchema } from "./schemas";

/**
 * Contact values compared by reconciliation, in one normalised form on both
 * sides: the name, the first email (lower-case) and phone, the roles value.
 */
function comparable(body: Record<string, unknown>, rolesKey: string): Record<string, ComparableValue> {
  const first = (list: unknown, key: string) => {
    const item = Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined) : undefined;
    return typeof item?.[key] === "string" ? (item[key] as string) : null;
  };
  const email = first(body.emails, "email");
  return {
    name: typeof body.name === "string" && body.name !== "" ? body.name : null,
    email: email ? email.toLowerCase() : null,
    phone: first(body.phones, "phone"),
    roles: typeof body[rolesKey] === "string" ? (body[rolesKey] as string) : null,
  };
}

/** Close: synced contacts through the search API (`exists` on our ID field), 200 a page, cursor paging. */
export function closeReconciliation(call: (ctx: CallContext) => Promise<Call>): CrmReconciliation {
  // The schema (custom field IDs) is resolved by the first call; expected values need it synchronously.
  let rolesKey: string | undefined;
  return {
    expectedPersonValues(person: Person) {
      const values = comparable(contactBody(person, { contact: { customerId: "id", roles: "roles" } } as never), customKey("roles"));
      // Absent on the canonical side: our PUT leaves the Close value alone, so it is not compared.
      if (!person.phone) delete values.phone;
      if (!person.roles || person.roles.length === 0) delete values.roles;
      if (!person.email) delete values.email;
      return values;
    },

    async listPeople(cursor: string | undefined, ctx: CallContext) {
      const c = await call(ctx);
      const idKey = customKey(c.schema.contact.customerId);
      rolesKey = customKey(c.schema.contact.roles);
      const query = {
        type: "and",
        queries: [
          { type: "object_type", object_type: "contact" },
          { type: "field_condition", field: { type: "custom_field", custom_field_id: c.schema.contact.customerId }, condition: { type: "exists" } },
        ],
      };
      const answer = await c.http.request(ctx, "POST", "/data/search/", searchResponseSchema, {
        body: { query, _fields: { contact: ["id", idKey, "name", "emails", "phones", rolesKey] }, _limit: 200, ...(cursor ? { cursor } : {}) },
      });
      const people: SyncedPerson[] = answer.data
        .filter((hit) => typeof hit[idKey] === "string")
        .map((hit) => ({ crmId: hit.id, sourceId: hit[idKey] as string, values: comparable(hit, rolesKey!) }));
      return answer.cursor ? { people, cursor: answer.cursor } : { people };
    },

    async deletePerson(crmId: string, ctx: CallContext) {
      await deleteQuietly(await call(ctx), `/contact/${encodeURIComponent(crmId)}/`);
    },
  };
}
