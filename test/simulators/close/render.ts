import type { Request } from "express";
import { renderCustomValues } from "./custom-values";
import { FieldErrors } from "./errors";
import { organizationId, type Activity, type CloseStore, type Contact, type CustomField, type Lead, type Opportunity } from "./store";

/** Public URL shape of a record in the Close app (responses carry it as `html_url`). */
const appUrl = (kind: string, id: string) => `https://app.close.com/${kind}/${id}/`;

export function renderContact(c: Contact): Record<string, unknown> {
  return {
    id: c.id,
    organization_id: organizationId,
    lead_id: c.lead_id,
    name: c.name,
    display_name: c.name ?? c.emails[0]?.email ?? "",
    title: c.title,
    emails: c.emails,
    phones: c.phones.map((p) => ({ ...p, phone_formatted: p.phone })),
    urls: [],
    date_created: c.date_created,
    date_updated: c.date_updated,
    created_by: c.created_by,
    updated_by: c.updated_by,
    ...renderCustomValues(c.custom),
  };
}

export function renderLead(store: CloseStore, l: Lead): Record<string, unknown> {
  const contacts = store.contactsOf(l.id);
  const status = store.leadStatuses.find((s) => s.id === l.status_id);
  return {
    id: l.id,
    organization_id: organizationId,
    name: l.name,
    display_name: l.name ?? contacts[0]?.name ?? "",
    description: l.description,
    url: l.url,
    html_url: appUrl("lead", l.id),
    status_id: l.status_id,
    status_label: status?.label ?? "",
    addresses: l.addresses,
    contacts: contacts.map(renderContact),
    contact_ids: contacts.map((c) => c.id),
    opportunities: [],
    tasks: [],
    date_created: l.date_created,
    date_updated: l.date_updated,
    created_by: l.created_by,
    updated_by: l.updated_by,
    ...renderCustomValues(l.custom),
  };
}

export function renderActivity(a: Activity): Record<string, unknown> {
  const base = {
    id: a.id,
    _type: a._type,
    organization_id: organizationId,
    lead_id: a.lead_id,
    contact_id: a.contact_id,
    user_id: simUserId(),
    users: [],
    activity_at: a.activity_at,
    date_created: a.date_created,
    date_updated: a.date_updated,
    created_by: a.created_by,
    updated_by: a.updated_by,
  };
  if (a._type === "Note") return { ...base, note: a.note ?? "", title: a.title };
  return { ...base, custom_activity_type_id: a.custom_activity_type_id, status: a.status, ...renderCustomValues(a.custom) };
}

const simUserId = () => "user_simulator";

export function renderCustomField(f: CustomField): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    description: f.description,
    accepts_multiple_values: f.accepts_multiple_values,
    choices: f.choices,
    ...(f.scope === "activity" ? { custom_activity_type_id: f.custom_activity_type_id, required: f.required } : {}),
    editable_with_roles: [],
    organization_id: organizationId,
    date_created: f.date_created,
    date_updated: f.date_updated,
  };
}

export function renderOpportunity(store: CloseStore, o: Opportunity): Record<string, unknown> {
  const status = store.opportunityStatuses.find((s) => s.id === o.status_id);
  return {
    id: o.id,
    organization_id: organizationId,
    lead_id: o.lead_id,
    contact_id: o.contact_id,
    status_id: o.status_id,
    status_label: status?.label ?? "",
    status_type: status?.type ?? "active",
    value: o.value,
    value_currency: o.value_currency,
    value_period: o.value_period,
    value_formatted: o.value === null ? null : `${(o.value / 100).toFixed(2)} ${o.value_currency}`,
    note: o.note,
    confidence: o.confidence,
    // Close's derived figures: value × confidence, and per year for recurring values.
    expected_value: o.value === null ? null : Math.round((o.value * o.confidence) / 100),
    annualized_value: o.value === null ? null : o.value * ({ one_time: 1, monthly: 12, annual: 1 } as const)[o.value_period],
    annualized_expected_value:
      o.value === null ? null : Math.round((o.value * ({ one_time: 1, monthly: 12, annual: 1 } as const)[o.value_period] * o.confidence) / 100),
    user_id: "user_simulator",
    pipeline_id: status?.pipeline_id ?? null,
    date_won: o.date_won,
    date_lost: o.date_lost,
    date_created: o.date_created,
    date_updated: o.date_updated,
    created_by: o.created_by,
    updated_by: o.updated_by,
    ...renderCustomValues(o.custom),
  };
}

/** `_fields=a,b` keeps only those keys (custom keys included, e.g. `custom.cf_X`). */
export function trimFields(req: Request, record: Record<string, unknown>): Record<string, unknown> {
  const raw = req.query._fields;
  if (typeof raw !== "string" || raw.trim() === "") return record;
  return pick(record, raw.split(",").map((f) => f.trim()));
}

export function pick(record: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in record) out[f] = record[f];
  return out;
}

function intParam(req: Request, name: string, fallback: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new FieldErrors({ [name]: "A valid integer is required." });
  return value;
}

/** Close list paging: `_skip`/`_limit` (default 100, at most 100 here) → `{data, has_more}`. */
export function page<T>(req: Request, items: T[], render: (item: T) => Record<string, unknown>) {
  const skip = intParam(req, "_skip", 0);
  const limit = Math.min(intParam(req, "_limit", 100), 100);
  const slice = items.slice(skip, skip + limit);
  return { data: slice.map((item) => trimFields(req, render(item))), has_more: skip + limit < items.length };
}
