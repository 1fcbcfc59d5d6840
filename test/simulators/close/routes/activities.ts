import express, { type Request, type Router } from "express";
import { objectBody, optionalString, requiredString, throwIfAny } from "../body";
import { applyCustomValues, readCustomValues } from "../custom-values";
import { ApiError, FieldErrors } from "../errors";
import { page, renderActivity, renderOpportunity, trimFields } from "../render";
import { inCreationOrder, type Activity, type CloseStore, type Opportunity, type Status } from "../store";

const statuses = ["draft", "published"] as const;

/** Custom activities, notes and opportunities: everything hanging off a lead. */
export function activityRoutes(store: CloseStore): Router {
  const r = express.Router({ strict: true });
  const q = (req: Request, name: string) => (typeof req.query[name] === "string" ? (req.query[name] as string) : undefined);

  /** lead_id / contact_id checks shared by every activity kind. */
  function links(body: Record<string, unknown>, errors: Record<string, string>, requireLead: boolean) {
    const leadId = requireLead ? requiredString(body, "lead_id", errors) : optionalString(body, "lead_id", errors);
    if (typeof leadId === "string" && leadId && !store.leads.has(leadId)) errors.lead_id = "Lead not found.";
    const contactId = optionalString(body, "contact_id", errors);
    if (typeof contactId === "string") {
      const contact = store.contacts.get(contactId);
      if (!contact) errors.contact_id = "Contact not found.";
      else if (typeof leadId === "string" && leadId && contact.lead_id !== leadId) errors.contact_id = "Contact does not belong to this lead.";
    }
    return { leadId: leadId ?? undefined, contactId };
  }

  function activityAt(body: Record<string, unknown>, errors: Record<string, string>): string | undefined {
    const value = optionalString(body, "activity_at", errors);
    if (typeof value === "string" && Number.isNaN(Date.parse(value))) errors.activity_at = "Enter a valid date/time.";
    return value ?? undefined;
  }

  function list(req: Request, type: Activity["_type"]) {
    // `lead_id` takes several IDs, comma-separated (the spec's "Filter by lead IDs").
    const leadIds = q(req, "lead_id")?.split(",").filter(Boolean);
    const contactId = q(req, "contact_id");
    const typeId = q(req, "custom_activity_type_id");
    const items = (leadIds === undefined ? [...store.activities.values()] : inCreationOrder(new Set(leadIds.flatMap((id) => store.activitiesOf(id).map((a) => a.id))), store.activities)).filter(
      (a) =>
        a._type === type &&
        (contactId === undefined || a.contact_id === contactId) &&
        (typeId === undefined || a.custom_activity_type_id === typeId),
    );
    return page(req, items, renderActivity);
  }

  function activityOf(req: Request, type: Activity["_type"]): Activity {
    const a = store.activities.get(req.params.id as string);
    if (!a || a._type !== type) throw new ApiError(404, "Activity not found.");
    return a;
  }

  /** Required activity fields must be filled before an activity is published. */
  function checkRequired(typeId: string, a: { status: string | null; custom: Map<string, unknown> }) {
    if (a.status !== "published") return;
    const missing: Record<string, string> = {};
    for (const f of store.fieldsOf("activity", typeId)) if (f.required && !a.custom.has(f.id)) missing[`custom.${f.id}`] = "This field is required.";
    if (Object.keys(missing).length > 0) throw new FieldErrors(missing);
  }

  r.get("/activity/custom/", (req, res) => {
    res.json(list(req, "Custom"));
  });

  r.post("/activity/custom/", (req, res) => {
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const typeId = requiredString(body, "custom_activity_type_id", errors);
    if (typeId && !store.customActivityTypes.has(typeId)) errors.custom_activity_type_id = "Custom activity type not found.";
    const { leadId, contactId } = links(body, errors, true);
    const at = activityAt(body, errors);
    const status = body.status ?? "published";
    if (!statuses.includes(status as (typeof statuses)[number])) errors.status = `"${String(status)}" is not a valid choice.`;
    throwIfAny(errors);
    const custom = new Map<string, unknown>();
    applyCustomValues(custom, readCustomValues(store, body, "activity", typeId));
    const audit = store.audit("acti");
    const activity: Activity = {
      ...audit,
      _type: "Custom",
      lead_id: leadId!,
      contact_id: contactId ?? null,
      activity_at: at ?? audit.date_created,
      custom_activity_type_id: typeId,
      status: status as Activity["status"],
      custom,
      note: null,
      title: null,
    };
    checkRequired(typeId, activity);
    store.activities.set(activity.id, activity);
    res.json(renderActivity(activity));
  });

  r.get("/activity/custom/:id/", (req, res) => {
    res.json(trimFields(req, renderActivity(activityOf(req, "Custom"))));
  });

  r.put("/activity/custom/:id/", (req, res) => {
    const activity = activityOf(req, "Custom");
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const contactId = optionalString(body, "contact_id", errors);
    if (typeof contactId === "string" && store.contacts.get(contactId)?.lead_id !== activity.lead_id) errors.contact_id = "Contact not found.";
    const at = activityAt(body, errors);
    if (body.status !== undefined && !statuses.includes(body.status as (typeof statuses)[number])) errors.status = `"${String(body.status)}" is not a valid choice.`;
    throwIfAny(errors);
    const custom = readCustomValues(store, body, "activity", activity.custom_activity_type_id!);
    const next = new Map(activity.custom);
    applyCustomValues(next, custom);
    const status = (body.status as Activity["status"] | undefined) ?? activity.status;
    checkRequired(activity.custom_activity_type_id!, { status, custom: next });
    activity.custom = next;
    activity.status = status;
    if (contactId !== undefined) activity.contact_id = contactId;
    if (at) activity.activity_at = at;
    store.touch(activity);
    res.json(renderActivity(activity));
  });

  r.delete("/activity/custom/:id/", (req, res) => {
    store.activities.delete(activityOf(req, "Custom").id);
    res.json({});
  });

  r.get("/activity/note/", (req, res) => {
    res.json(list(req, "Note"));
  });

  r.post("/activity/note/", (req, res) => {
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const { leadId, contactId } = links(body, errors, true);
    const note = optionalString(body, "note", errors);
    const noteHtml = optionalString(body, "note_html", errors);
    const title = optionalString(body, "title", errors) ?? null;
    const at = activityAt(body, errors);
    throwIfAny(errors);
    const audit = store.audit("acti");
    const activity: Activity = {
      ...audit,
      _type: "Note",
      lead_id: leadId!,
      contact_id: contactId ?? null,
      activity_at: at ?? audit.date_created,
      custom_activity_type_id: null,
      status: null,
      custom: new Map(),
      // Close keeps both; the plain text of note_html is close enough for a simulator.
      note: note ?? (noteHtml ? noteHtml.replace(/<[^>]*>/g, "") : ""),
      title,
    };
    store.activities.set(activity.id, activity);
    res.json(renderActivity(activity));
  });

  r.get("/activity/note/:id/", (req, res) => {
    res.json(renderActivity(activityOf(req, "Note")));
  });

  r.put("/activity/note/:id/", (req, res) => {
    const activity = activityOf(req, "Note");
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const note = optionalString(body, "note", errors);
    const title = optionalString(body, "title", errors);
    throwIfAny(errors);
    if (note !== undefined) activity.note = note;
    if (title !== undefined) activity.title = title;
    store.touch(activity);
    res.json(renderActivity(activity));
  });

  r.delete("/activity/note/:id/", (req, res) => {
    store.activities.delete(activityOf(req, "Note").id);
    res.json({});
  });

  const periods = ["one_time", "monthly", "annual"] as const;
  function readValue(body: Record<string, unknown>, errors: Record<string, string>): number | null | undefined {
    const value = body.value;
    // Opportunity values are integers in cents.
    if (value !== undefined && value !== null && !Number.isInteger(value)) errors.value = "A valid integer is required.";
    return value as number | null | undefined;
  }
  function readStatus(body: Record<string, unknown>, errors: Record<string, string>): Status | undefined {
    const statusId = optionalString(body, "status_id", errors);
    if (typeof statusId !== "string") return undefined;
    const status = store.opportunityStatuses.find((s) => s.id === statusId);
    if (!status) errors.status_id = "Unknown opportunity status.";
    return status;
  }
  /** Close stamps the day an opportunity is first won or lost, and keeps it when the status moves on. */
  function enterStatus(o: Opportunity, status: Status): void {
    o.status_id = status.id;
    if (status.type === "won") o.date_won ??= store.now().slice(0, 10);
    if (status.type === "lost") o.date_lost ??= store.now();
  }
  const opportunityOf = (req: Request): Opportunity => {
    const o = store.opportunities.get(req.params.id as string);
    if (!o) throw new ApiError(404, "Opportunity not found.");
    return o;
  };

  r.get("/opportunity/", (req, res) => {
    const leadId = q(req, "lead_id");
    // Changed since (the polling query) and ordered by a date, as Close's list filters allow.
    const since = q(req, "date_updated__gte");
    const order = q(req, "_order_by");
    const items = [...store.opportunities.values()].filter(
      (o) => (leadId === undefined || o.lead_id === leadId) && (since === undefined || Date.parse(o.date_updated) >= Date.parse(since)),
    );
    if (order === "date_updated" || order === "-date_updated") items.sort((a, b) => (a.date_updated < b.date_updated ? -1 : a.date_updated > b.date_updated ? 1 : 0) * (order === "date_updated" ? 1 : -1));
    res.json(page(req, items, (o) => renderOpportunity(store, o)));
  });

  r.post("/opportunity/", (req, res) => {
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const { leadId, contactId } = links(body, errors, true);
    const value = readValue(body, errors);
    const status = readStatus(body, errors);
    const period = body.value_period ?? "one_time";
    if (!periods.includes(period as (typeof periods)[number])) errors.value_period = `"${String(period)}" is not a valid choice.`;
    const currency = optionalString(body, "value_currency", errors) ?? "USD";
    if (!/^[A-Z]{3}$/.test(currency)) errors.value_currency = "Enter a valid currency code.";
    const note = optionalString(body, "note", errors) ?? "";
    throwIfAny(errors);
    const custom = new Map<string, unknown>();
    applyCustomValues(custom, readCustomValues(store, body, "opportunity"));
    const opportunity: Opportunity = {
      ...store.audit("oppo"),
      lead_id: leadId!,
      contact_id: contactId ?? null,
      status_id: store.opportunityStatuses[0]!.id,
      value: value ?? null,
      value_currency: currency,
      value_period: period as Opportunity["value_period"],
      note,
      confidence: typeof body.confidence === "number" ? body.confidence : 0,
      custom,
      date_won: null,
      date_lost: null,
    };
    if (status) enterStatus(opportunity, status);
    store.opportunities.set(opportunity.id, opportunity);
    res.json(renderOpportunity(store, opportunity));
  });

  r.get("/opportunity/:id/", (req, res) => {
    res.json(trimFields(req, renderOpportunity(store, opportunityOf(req))));
  });

  r.put("/opportunity/:id/", (req, res) => {
    const o = opportunityOf(req);
    const body = objectBody(req);
    const errors: Record<string, string> = {};
    const value = readValue(body, errors);
    const note = optionalString(body, "note", errors);
    const status = readStatus(body, errors);
    const contactId = optionalString(body, "contact_id", errors);
    if (typeof contactId === "string" && store.contacts.get(contactId)?.lead_id !== o.lead_id) errors.contact_id = "Contact not found.";
    const currency = optionalString(body, "value_currency", errors);
    if (typeof currency === "string" && !/^[A-Z]{3}$/.test(currency)) errors.value_currency = "Enter a valid currency code.";
    throwIfAny(errors);
    const custom = readCustomValues(store, body, "opportunity");
    applyCustomValues(o.custom, custom);
    if (value !== undefined) o.value = value;
    if (typeof note === "string") o.note = note;
    if (typeof currency === "string") o.value_currency = currency;
    if (contactId !== undefined) o.contact_id = contactId;
    if (status) enterStatus(o, status);
    store.touch(o);
    res.json(renderOpportunity(store, o));
  });

  r.delete("/opportunity/:id/", (req, res) => {
    store.opportunities.delete(opportunityOf(req).id);
    res.json({});
  });

  return r;
}
