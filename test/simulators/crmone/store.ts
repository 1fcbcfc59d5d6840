import { randomBytes } from "node:crypto";
import { ApiError } from "./errors";
import type { ModelSpec } from "./models";

export type FieldValue = string | boolean | number;
export type StoredRecord = Record<string, FieldValue> & { id: string; date_entered: string; date_modified: string };

export type WebhookType = "create" | "update" | "create_update";
export type WebhookCondition = { field: string; filter: string; value?: string | undefined; when: string };
export type WebhookSubscription = { id: string; type: WebhookType; url: string; model: string; filters: { glue: "and" | "or"; conditions: WebhookCondition[] } };

/** A write through the API, as webhooks see it. */
export type RecordChange = { model: string; action: "create" | "update"; record: StoredRecord };

/** 1CRM IDs look like `7eba2a01-6cb6-f38c-d4c2-5a8fc2def9d2`: random hex in 8-4-4-4-12 groups. */
export function crmOneId(): string {
  const hex = randomBytes(16).toString("hex");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

/** 1CRM's timestamps: `YYYY-MM-DD HH:MM:SS` in UTC, to the second (records written in one second share it). */
export function crmOneTimestamp(at: Date): string {
  return at.toISOString().slice(0, 19).replace("T", " ");
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** 1CRM's first user, the administrator. */
export const adminUserId = "1";

/**
 * The instance's data in memory: records per model (deleted ones are gone
 * from every answer), webhook subscriptions, and the listeners that deliver
 * them. Writes check fields and types as the instance would; every write
 * through here sets `date_modified`.
 */
export class CrmOneStore {
  readonly records = new Map<string, Map<string, StoredRecord>>();
  readonly webhooks = new Map<string, WebhookSubscription>();
  private readonly listeners: ((change: RecordChange) => void)[] = [];
  private opportunityNumber = 0;

  constructor(
    readonly models: Record<string, ModelSpec>,
    /** The instance's clock; tests move it to make modification times tell apart. */
    public now: () => Date = () => new Date(),
  ) {
    for (const name of Object.keys(models)) this.records.set(name, new Map());
  }

  model(name: string): ModelSpec {
    const spec = this.models[name];
    if (!spec) throw new ApiError(404, `Model ${name} not found`);
    return spec;
  }

  table(name: string): Map<string, StoredRecord> {
    this.model(name);
    return this.records.get(name)!;
  }

  get(model: string, id: string): StoredRecord {
    const record = this.table(model).get(id);
    if (!record) throw new ApiError(404, "Not found");
    return record;
  }

  onChange(listener: (change: RecordChange) => void): void {
    this.listeners.push(listener);
  }

  /** A record created as `actor` (the user the API client acts as; the admin, "1", for the simulator's own writes). */
  create(model: string, data: Record<string, unknown>, { id = crmOneId(), actor = adminUserId }: { id?: string; actor?: string } = {}): StoredRecord {
    const spec = this.model(model);
    const values = this.checked(model, spec, data);
    const missing = spec.requiredOnCreate.filter((field) => values[field] === undefined || values[field] === "");
    if (missing.length > 0) throw new ApiError(400, `Missing required field: ${missing.join(", ")}`, "invalid_request", "Required fields must have a value");
    const at = crmOneTimestamp(this.now());
    const record = { ...spec.defaults, ...withoutNulls(values), id, date_entered: at, date_modified: at, created_by: actor, modified_user_id: actor, deleted: false } as StoredRecord;
    if (model === "Opportunity") record.opportunities_number = String(++this.opportunityNumber);
    this.table(model).set(id, record);
    this.emit({ model, action: "create", record });
    return record;
  }

  update(model: string, id: string, data: Record<string, unknown>, actor = adminUserId): StoredRecord {
    const spec = this.model(model);
    const record = this.get(model, id);
    const values = this.checked(model, spec, data);
    for (const [field, value] of Object.entries(values)) {
      // An empty value clears the field: the record no longer carries it.
      if (value === null || value === "") delete record[field];
      else record[field] = value;
    }
    record.date_modified = crmOneTimestamp(this.now());
    record.modified_user_id = actor;
    this.emit({ model, action: "update", record });
    return record;
  }

  delete(model: string, id: string): void {
    this.get(model, id);
    this.table(model).delete(id);
  }

  /** Display fields computed from the record and what it points at, as the CRM adds them to answers. */
  display(model: string, record: StoredRecord): Record<string, FieldValue> {
    const nameOf = (target: string, id: FieldValue | undefined) => (typeof id === "string" ? this.table(target).get(id)?.name : undefined);
    const shown: Record<string, FieldValue | undefined> = {};
    if (model === "Contact") {
      shown.name = [record.first_name, record.last_name].filter((p) => typeof p === "string" && p !== "").join(" ");
      shown.primary_account = nameOf("Account", record.primary_account_id);
    }
    if (model === "Account") shown.member_of = nameOf("Account", record.parent_id);
    if (model === "Note" || model === "Task") {
      shown.contact = this.displayName("Contact", record.contact_id);
      shown.account = nameOf("Account", record.account_id);
      shown.parent = record.parent_type === "Accounts" ? nameOf("Account", record.parent_id) : this.displayName("Contact", record.parent_id);
    }
    if (model === "Opportunity") {
      shown.account = nameOf("Account", record.account_id);
      shown.amount_usdollar = record.amount;
    }
    shown._display = shown.name ?? record.name;
    return Object.fromEntries(Object.entries(shown).filter((entry): entry is [string, FieldValue] => entry[1] !== undefined && entry[1] !== ""));
  }

  private displayName(model: "Contact", id: FieldValue | undefined): string | undefined {
    const record = typeof id === "string" ? this.table(model).get(id) : undefined;
    return record ? [record.first_name, record.last_name].filter((p) => typeof p === "string" && p !== "").join(" ") : undefined;
  }

  /** The data's fields, each one the model has, writable and of its type; null/"" kept (they clear). */
  private checked(model: string, spec: ModelSpec, data: Record<string, unknown>): Record<string, FieldValue | null> {
    const values: Record<string, FieldValue | null> = {};
    for (const [field, value] of Object.entries(data)) {
      const fieldSpec = spec.fields[field];
      if (!fieldSpec) throw new ApiError(400, `Unknown field ${field} for model ${model}`, "invalid_request", "Check the field name, or add it in Module Designer");
      if (fieldSpec.readOnly) throw new ApiError(400, `Field ${field} is read-only`, "invalid_request");
      if (value === null || value === "") {
        values[field] = value;
        continue;
      }
      const ok =
        fieldSpec.type === "string" ? typeof value === "string" : fieldSpec.type === "integer" ? Number.isInteger(value) : typeof value === fieldSpec.type && (typeof value !== "number" || Number.isFinite(value));
      if (!ok) throw new ApiError(400, `Invalid value for field ${field}: expected ${fieldSpec.type}`, "invalid_request");
      if ((field === "email1" || field === "email2") && !emailPattern.test(value as string)) {
        throw new ApiError(400, `Invalid email address in field ${field}`, "invalid_request", "Enter a valid email address");
      }
      values[field] = value as FieldValue;
    }
    return values;
  }

  private emit(change: RecordChange): void {
    for (const listener of this.listeners) listener({ ...change, record: { ...change.record } });
  }
}

function withoutNulls(values: Record<string, FieldValue | null>): Record<string, FieldValue> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, FieldValue] => entry[1] !== null && entry[1] !== ""));
}
