import { SyncError } from "../../domain/errors";
import type { Person } from "../../domain/model";
import type { ComparableValue, CrmReconciliation, SyncedPerson } from "../../ports/crm-outbound";
import { send, type Call } from "./connection";
import { contactIdField } from "./fields";
import { contactBody } from "./mapping";
import { contactSchema, viewPageSchema } from "./schemas";
import type { AccountSetup } from "./setup";

/** Freshsales' largest list page. */
const pageSize = 100;

/** Contact values compared, in one form on both sides: top-level fields and our custom ones, emails in lower case. */
const compared = ["first_name", "last_name", "email", "work_number", "city", "zipcode", "country", "cf_ct_roles", "cf_ct_locale"] as const;

function comparable(contact: Record<string, unknown>, custom: Record<string, unknown>): Record<string, ComparableValue> {
  const values: Record<string, ComparableValue> = {};
  for (const field of compared) {
    const value = field.startsWith("cf_") ? custom[field] : contact[field];
    values[field] = typeof value === "string" && value !== "" ? (field === "email" ? value.toLowerCase() : value) : null;
  }
  return values;
}

/**
 * The synced contacts, read through the default contacts view page by page
 * (oldest first, so new contacts land on later pages), those carrying
 * `cf_ct_customer_id`: ⌈contacts / 100⌉ calls a run.
 */
export function freshsalesReconciliation(call: (ctx: Call["ctx"]) => Call, setup: AccountSetup): CrmReconciliation {
  return {
    expectedPersonValues(person: Person) {
      const body = contactBody(person);
      const values = comparable(body, body.custom_field as Record<string, unknown>);
      // What the upsert leaves alone is not compared.
      return Object.fromEntries(Object.entries(values).filter(([field]) => (field.startsWith("cf_") ? (body.custom_field as Record<string, unknown>)[field] : body[field]) !== undefined));
    },

    async listPeople(cursor, ctx) {
      const page = Number(cursor ?? 1);
      const view = await setup.defaultView("contacts");
      const query = { page, per_page: pageSize, sort: "created_at", sort_type: "asc" };
      const answer = await send(call(ctx), "GET", `/contacts/view/${view}`, viewPageSchema("contacts", contactSchema), { query });
      const people: SyncedPerson[] = answer.items.flatMap((contact) => {
        const sourceId = contact.custom_field[contactIdField];
        return typeof sourceId === "string" && sourceId !== "" ? [{ crmId: contact.id, sourceId, values: comparable(contact, contact.custom_field) }] : [];
      });
      return page < answer.totalPages ? { people, cursor: String(page + 1) } : { people };
    },

    async deletePerson(crmId, ctx) {
      await call(ctx)
        .api.transport.send(ctx, { method: "DELETE", path: `/contacts/${encodeURIComponent(crmId)}` })
        // Gone already: another run, or a person, deleted it first.
        .catch((error: unknown) => {
          if (!(error instanceof SyncError && error.errorClass === "not_found")) throw error;
        });
    },
  };
}
