import { closeId, createClock } from "./ids";
import { ValueIndex } from "../../support/value-index";
import { customValueKeys, WatchedMap } from "./lookup";

/** Custom values keyed by custom field ID (`cf_...`). */
export type CustomValues = Map<string, unknown>;

export type Email = { email: string; type: string; is_unsubscribed: boolean };
export type Phone = { phone: string; type: string };
export type Address = {
  label: string | null;
  address_1: string | null;
  address_2: string | null;
  city: string | null;
  state: string | null;
  zipcode: string | null;
  country: string | null;
};

type Audit = { id: string; date_created: string; date_updated: string; created_by: string | null; updated_by: string | null };

export type Lead = Audit & {
  name: string | null;
  description: string | null;
  url: string | null;
  status_id: string;
  addresses: Address[];
  custom: CustomValues;
};

export type Contact = Audit & {
  lead_id: string;
  name: string | null;
  title: string | null;
  emails: Email[];
  phones: Phone[];
  custom: CustomValues;
};

export const customFieldTypes = ["text", "textarea", "number", "date", "datetime", "choices", "hidden", "url", "user", "contact"] as const;
export type CustomFieldType = (typeof customFieldTypes)[number];
export const customFieldScopes = ["lead", "contact", "opportunity", "activity"] as const;
export type CustomFieldScope = (typeof customFieldScopes)[number];

export type CustomField = {
  id: string;
  scope: CustomFieldScope;
  name: string;
  type: CustomFieldType;
  description: string | null;
  accepts_multiple_values: boolean;
  choices: string[];
  /** Activity custom fields only. */
  custom_activity_type_id: string | null;
  required: boolean;
  date_created: string;
  date_updated: string;
};

export type CustomActivityType = { id: string; name: string; description: string; date_created: string; date_updated: string };

export type Activity = Audit & {
  _type: "Custom" | "Note";
  lead_id: string;
  contact_id: string | null;
  activity_at: string;
  /** Custom activities. */
  custom_activity_type_id: string | null;
  status: "draft" | "published" | null;
  custom: CustomValues;
  /** Notes. */
  note: string | null;
  title: string | null;
};

export type Opportunity = Audit & {
  lead_id: string;
  contact_id: string | null;
  status_id: string;
  value: number | null;
  value_currency: string;
  value_period: "one_time" | "monthly" | "annual";
  note: string;
  confidence: number;
  custom: CustomValues;
  /** Set when the opportunity first reaches a won (lost) status; kept when it leaves it, as Close does. */
  date_won: string | null;
  date_lost: string | null;
};

export type Status = { id: string; label: string; type?: "active" | "won" | "lost"; pipeline_id?: string };
export type Pipeline = { id: string; name: string };

export type WebhookSubscription = {
  id: string;
  url: string;
  events: { object_type: string; action: string }[];
  verify_ssl: boolean;
  status: "active" | "paused";
  signature_key: string;
  date_created: string;
  date_updated: string;
};

export const organizationId = "orga_simulator";
export const simUserId = "user_simulator";

/** A lead, contact or opportunity created, updated or deleted: what Close sends webhook events for. */
export type StoreChange = { object_type: "lead" | "contact" | "opportunity"; action: "created" | "updated" | "deleted"; object_id: string; lead_id: string | null };

/** Everything the simulated Close organisation holds, in memory. Maps keep insertion (= creation) order. */
export class CloseStore {
  readonly now = createClock();
  private readonly changeListeners: ((change: StoreChange) => void)[] = [];
  /** Records seen so far per object type: a write of a record not seen before is its creation. */
  private readonly seen = { lead: new Set<string>(), contact: new Set<string>(), opportunity: new Set<string>() };
  /** Leads and contacts by custom value, contacts and activities by lead: kept at create, `touch` (every update) and delete. */
  readonly leadsByCustomValue = new ValueIndex();
  readonly contactsByCustomValue = new ValueIndex();
  private readonly contactsByLead = new ValueIndex();
  private readonly activitiesByLead = new ValueIndex();
  readonly leads = new WatchedMap<Lead>().watch((id, lead) => {
    if (lead) this.leadsByCustomValue.put(id, customValueKeys(lead.custom));
    else this.leadsByCustomValue.remove(id);
    this.changed("lead", id, lead ? id : null, lead !== undefined);
  });
  readonly contacts = new WatchedMap<Contact>().watch((id, contact) => {
    if (!contact) {
      this.contactsByCustomValue.remove(id);
      this.contactsByLead.remove(id);
    } else {
      this.contactsByCustomValue.put(id, customValueKeys(contact.custom));
      this.contactsByLead.put(id, [contact.lead_id]);
    }
    this.changed("contact", id, contact?.lead_id ?? null, contact !== undefined);
  });
  readonly customFields = new Map<string, CustomField>();
  readonly customActivityTypes = new Map<string, CustomActivityType>();
  readonly activities = new WatchedMap<Activity>().watch((id, activity) =>
    activity ? this.activitiesByLead.put(id, [activity.lead_id]) : this.activitiesByLead.remove(id),
  );
  readonly opportunities = new WatchedMap<Opportunity>().watch((id, opportunity) => this.changed("opportunity", id, opportunity?.lead_id ?? null, opportunity !== undefined));
  readonly leadStatuses: Status[] = [];
  readonly opportunityStatuses: Status[] = [];
  readonly pipelines: Pipeline[] = [];
  readonly webhooks = new Map<string, WebhookSubscription>();

  constructor() {
    // A new Close organisation starts with these lead and opportunity statuses.
    for (const label of ["Potential", "Bad Fit", "Qualified", "Customer"]) this.leadStatuses.push({ id: closeId("stat"), label });
    // ... and one pipeline holding them.
    const pipeline = { id: closeId("pipe"), name: "Sales" };
    this.pipelines.push(pipeline);
    this.opportunityStatuses.push(
      { id: closeId("stat"), label: "Active", type: "active", pipeline_id: pipeline.id },
      { id: closeId("stat"), label: "Won", type: "won", pipeline_id: pipeline.id },
      { id: closeId("stat"), label: "Lost", type: "lost", pipeline_id: pipeline.id },
    );
  }

  audit(prefix: string): Audit {
    const at = this.now();
    return { id: closeId(prefix), date_created: at, date_updated: at, created_by: simUserId, updated_by: simUserId };
  }

  /** Every update ends here, after the record changed: its lookups (and webhook subscribers) follow. */
  touch(record: Audit): void {
    record.date_updated = this.now();
    record.updated_by = simUserId;
    for (const map of [this.leads, this.contacts, this.activities, this.opportunities] as unknown as WatchedMap<Audit>[]) {
      if (map.get(record.id) === record) map.set(record.id, record);
    }
  }

  /** Tells `listener` of every lead, contact and opportunity written from now on. */
  onChange(listener: (change: StoreChange) => void): void {
    this.changeListeners.push(listener);
  }

  private changed(object_type: StoreChange["object_type"], id: string, lead_id: string | null, present: boolean): void {
    const seen = this.seen[object_type];
    const action = !present ? "deleted" : seen.has(id) ? "updated" : "created";
    if (present) seen.add(id);
    else seen.delete(id);
    for (const listener of this.changeListeners) listener({ object_type, action, object_id: id, lead_id });
  }

  contactsOf(leadId: string): Contact[] {
    return inCreationOrder(this.contactsByLead.get(leadId), this.contacts);
  }

  activitiesOf(leadId: string): Activity[] {
    return inCreationOrder(this.activitiesByLead.get(leadId), this.activities);
  }

  deleteLead(id: string): boolean {
    if (!this.leads.delete(id)) return false;
    for (const c of this.contactsOf(id)) this.contacts.delete(c.id);
    for (const a of this.activitiesOf(id)) this.activities.delete(a.id);
    for (const [oid, o] of this.opportunities) if (o.lead_id === id) this.opportunities.delete(oid);
    return true;
  }

  fieldsOf(scope: CustomFieldScope, activityTypeId?: string): CustomField[] {
    return [...this.customFields.values()].filter(
      (f) => f.scope === scope && (activityTypeId === undefined || f.custom_activity_type_id === activityTypeId),
    );
  }
}

/** The records of `ids` oldest first, as the maps list them (the clock never repeats a creation time). */
export function inCreationOrder<T extends { date_created: string }>(ids: ReadonlySet<string>, records: Map<string, T>): T[] {
  return [...ids]
    .map((id) => records.get(id)!)
    .sort((a, b) => (a.date_created < b.date_created ? -1 : a.date_created > b.date_created ? 1 : 0));
}
