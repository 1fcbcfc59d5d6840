import { SyncError } from "../../domain/errors";
import type { Company, OrderActivity, Person } from "../../domain/model";
import type { ComparableValue, CrmReconciliation, ReconciledKind, SyncedPerson, SyncedRecord } from "../../ports/crm-outbound";
import { chunks } from "../../pool";
import { send, type Call } from "./connection";
import { accountIdField, contactIdField, dealIdField } from "./fields";
import { searchIn, searchPageSize } from "./lookup";
import { contactBody, dealBody, salesAccountBody, type Body } from "./mapping";
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

const text = (value: unknown): ComparableValue => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);
const amount = (value: unknown): ComparableValue => (value === null || value === undefined || value === "" || !Number.isFinite(Number(value)) ? null : Number(value));

/** A sales account's compared value: its name. */
const companyValues = (account: Body): Record<string, ComparableValue> => ({ name: text(account.name) });

/** An order deal's compared values: the amount (major units) and what the deal says of the order. */
function orderValues(deal: Body, custom: Record<string, unknown>): Record<string, ComparableValue> {
  return { amount: amount(deal.amount), cf_ct_currency: text(custom.cf_ct_currency), cf_ct_order_state: text(custom.cf_ct_order_state), cf_ct_payment_state: text(custom.cf_ct_payment_state) };
}

/** Each kind's module and the unique field carrying the commercetools ID. */
const searched = {
  person: { module: "contacts", field: contactIdField },
  company: { module: "sales_accounts", field: accountIdField },
  order: { module: "deals", field: dealIdField },
} as const satisfies Record<ReconciledKind, unknown>;

/**
 * The synced contacts, read through the default contacts view page by page
 * (oldest first, so new contacts land on later pages), those carrying
 * `cf_ct_customer_id`: ⌈contacts / 100⌉ calls a run. Its cursor is the
 * next page's number: it does not expire, and contacts created since land
 * on later pages. `readSynced` asks the filtered search for up to 100
 * commercetools IDs at once: one call per 100 IDs.
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

    async readSynced(kind, sourceIds, ctx) {
      const { module, field } = searched[kind];
      const records: SyncedRecord[] = [];
      for (const part of chunks([...new Set(sourceIds)], searchPageSize)) {
        for (const record of await searchIn(call(ctx), module, field, part)) {
          const sourceId = record.custom_field[field];
          if (typeof sourceId !== "string" || !part.includes(sourceId)) continue;
          const values = kind === "person" ? comparable(record, record.custom_field) : kind === "company" ? companyValues(record) : orderValues(record, record.custom_field);
          records.push({ crmId: record.id, sourceId, values });
        }
      }
      return records;
    },

    expectedValues(record: Company | OrderActivity) {
      if (record.kind === "company") return companyValues(salesAccountBody(record));
      // The stages do not matter here: the stage is not compared.
      const body = dealBody(record, {}, { won: 0, lost: 0 });
      return orderValues(body, body.custom_field as Body);
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
