import type { Person } from "../../domain/model";
import type { CallContext, ComparableValue, CrmReconciliation, SyncedPerson } from "../../ports/crm-outbound";
import { removeQuietly, type Call } from "./connection";
import { customKey } from "./field-names";
import { contactBody, firstOf, namedSchema } from "./mapping";
import { searchPage, withCustomField } from "./search";

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

/** Close: synced contacts through the search API (`exists` on our ID field), 200 a page, cursor paging. */
export function closeReconciliation(call: (ctx: CallContext) => Promise<Call>): CrmReconciliation {
  return {
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
