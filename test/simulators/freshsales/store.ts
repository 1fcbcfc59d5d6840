import { customFields as connectorFields } from "@ct-crm-sync/core/crm/freshsales/fields";
import { ValueIndex } from "../../support/value-index";
import { invalid, notFound } from "./errors";

export const modules = ["contacts", "sales_accounts", "deals"] as const;
export type ModuleName = (typeof modules)[number];
export const singularOf = { contacts: "contact", sales_accounts: "sales_account", deals: "deal" } as const satisfies Record<ModuleName, string>;

export type FieldType = "text" | "textarea" | "number" | "checkbox" | "datetime" | "id" | "id_list" | "text_list" | "emails" | "product_lines";
export type FieldDefinition = { name: string; label: string; type: FieldType; custom: boolean; unique: boolean };

export type Email = { value: string; is_primary: boolean; label: string | null };
export type ProductLine = { product_id: number; quantity: number; unit_price: number };
export type Product = { id: number; name: string; sku_number: string; unit_price: number; created_at: string; updated_at: string };
/** A note on a contact, sales account or deal; Freshsales keeps no unique key on notes. */
export type Note = { id: number; description: string; targetable_type: NoteTarget; targetable_id: number; creater_id: number; created_at: string; updated_at: string };
export type NoteTarget = "Contact" | "SalesAccount" | "Deal";
export const moduleOfTarget: Record<NoteTarget, ModuleName> = { Contact: "contacts", SalesAccount: "sales_accounts", Deal: "deals" };

export type DealStage = { id: number; name: string; position: number; forecast_type: "Open" | "Won" | "Lost"; deal_pipeline_id: number };

export type StoredRecord = {
  id: number;
  created_at: string;
  updated_at: string;
  /** Standard fields by API name (contacts' `emails` as Email[], deals' `contact_ids` and `products`). */
  values: Record<string, unknown>;
  /** Custom field values by `cf_` name. */
  custom: Record<string, unknown>;
  /** When lookup starts to see the record (Freshsales' search is indexed with a delay). */
  searchableAt: number;
  /** The users (by their API keys) who created it and changed it last: Freshsales' `creater_id` and `updater_id`. */
  createrId: number;
  updaterId: number;
};

/** Fields a write may set, per module; anything else is refused. */
const standard: Record<ModuleName, Record<string, { label: string; type: FieldType; unique?: boolean }>> = {
  contacts: {
    first_name: { label: "First name", type: "text" },
    last_name: { label: "Last name", type: "text" },
    job_title: { label: "Job title", type: "text" },
    emails: { label: "Emails", type: "emails", unique: true },
    work_number: { label: "Work number", type: "text" },
    mobile_number: { label: "Mobile number", type: "text", unique: true },
    address: { label: "Address", type: "text" },
    city: { label: "City", type: "text" },
    state: { label: "State", type: "text" },
    zipcode: { label: "Zipcode", type: "text" },
    country: { label: "Country", type: "text" },
    time_zone: { label: "Time zone", type: "text" },
    external_id: { label: "External", type: "text" },
    subscription_status: { label: "Subscription status", type: "text" },
    sms_subscription_status: { label: "Sms subscription status", type: "text" },
    do_not_disturb: { label: "Do not disturb", type: "checkbox" },
    owner_id: { label: "Owner", type: "id" },
    lead_source_id: { label: "Lead source", type: "id" },
    medium: { label: "Medium", type: "text" },
    keyword: { label: "Keyword", type: "text" },
    tags: { label: "Tags", type: "text_list" },
    sales_accounts: { label: "Sales accounts", type: "id_list" },
  },
  sales_accounts: {
    name: { label: "Name", type: "text", unique: true },
    address: { label: "Address", type: "text" },
    city: { label: "City", type: "text" },
    state: { label: "State", type: "text" },
    zipcode: { label: "Zipcode", type: "text" },
    country: { label: "Country", type: "text" },
    phone: { label: "Phone", type: "text" },
    website: { label: "Website", type: "text" },
    number_of_employees: { label: "Number of employees", type: "number" },
    annual_revenue: { label: "Annual revenue", type: "number" },
    parent_sales_account_id: { label: "Parent sales account", type: "id" },
    owner_id: { label: "Owner", type: "id" },
    tags: { label: "Tags", type: "text_list" },
  },
  deals: {
    name: { label: "Name", type: "text" },
    amount: { label: "Amount", type: "number" },
    currency_id: { label: "Currency", type: "id" },
    deal_stage_id: { label: "Deal stage", type: "id" },
    deal_pipeline_id: { label: "Deal pipeline", type: "id" },
    expected_close: { label: "Expected close", type: "text" },
    closed_date: { label: "Closed date", type: "text" },
    sales_account_id: { label: "Sales account", type: "id" },
    contacts_added_list: { label: "Contacts", type: "id_list" },
    probability: { label: "Probability", type: "number" },
    owner_id: { label: "Owner", type: "id" },
    tags: { label: "Tags", type: "text_list" },
    products: { label: "Products", type: "product_lines" },
  },
};

const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const capitalised = (label: string) => label.charAt(0).toUpperCase() + label.slice(1);

/** The index key of a value: lookup and uniqueness compare values without case, as Freshsales does for emails and names. */
const indexKey = (field: string, value: unknown) => `${field}\u0000${String(value).trim().toLowerCase()}`;

export class FreshsalesStore {
  readonly records: Record<ModuleName, Map<number, StoredRecord>> = { contacts: new Map(), sales_accounts: new Map(), deals: new Map() };
  readonly customFields: Record<ModuleName, FieldDefinition[]>;
  readonly products = new Map<number, Product>();
  readonly notes = new Map<number, Note>();
  readonly stages: DealStage[] = [
    { id: 9001, name: "New", position: 1, forecast_type: "Open", deal_pipeline_id: 900 },
    { id: 9002, name: "Negotiation", position: 2, forecast_type: "Open", deal_pipeline_id: 900 },
    { id: 9003, name: "Won", position: 3, forecast_type: "Won", deal_pipeline_id: 900 },
    { id: 9004, name: "Lost", position: 4, forecast_type: "Lost", deal_pipeline_id: 900 },
  ];
  private readonly indexes: Record<ModuleName, ValueIndex> = { contacts: new ValueIndex(), sales_accounts: new ValueIndex(), deals: new ValueIndex() };
  private nextId = 16_000_000_001;
  private lastMs = 0;
  /** Milliseconds before a new record shows in lookup answers. */
  searchDelayMs = 0;

  constructor(options: { installConnectorFields?: boolean } = {}) {
    const install = options.installConnectorFields ?? true;
    this.customFields = {
      contacts: install ? connectorFields.contacts.map((f) => ({ ...f, custom: true, unique: f.unique ?? false })) : [],
      sales_accounts: install ? connectorFields.sales_accounts.map((f) => ({ ...f, custom: true, unique: f.unique ?? false })) : [],
      deals: install ? connectorFields.deals.map((f) => ({ ...f, custom: true, unique: f.unique ?? false })) : [],
    };
  }

  /** Strictly increasing timestamps, so "changed since" and "oldest" are well defined. */
  now(): string {
    this.lastMs = Math.max(Date.now(), this.lastMs + 1);
    return new Date(this.lastMs).toISOString();
  }

  newId(): number {
    return this.nextId++;
  }

  /** Every field of a module: the standard ones and the custom fields the admin added. */
  fieldsOf(module: ModuleName): FieldDefinition[] {
    const builtIn = Object.entries(standard[module]).map(([name, f]) => ({ name, label: f.label, type: f.type, custom: false, unique: f.unique ?? false }));
    return [...builtIn, ...this.customFields[module]];
  }

  addCustomField(module: ModuleName, definition: Omit<FieldDefinition, "custom">): void {
    this.customFields[module].push({ ...definition, custom: true });
  }

  get(module: ModuleName, id: number): StoredRecord | undefined {
    return this.records[module].get(id);
  }

  require(module: ModuleName, id: number): StoredRecord {
    const record = this.get(module, id);
    if (!record) throw notFound(capitalised(singularOf[module].replace("_", " ")));
    return record;
  }

  /** Records whose field holds this value (without case); `searchable` leaves out what lookup cannot see yet. */
  find(module: ModuleName, field: string, value: unknown, options: { searchable?: boolean } = {}): StoredRecord[] {
    const at = Date.now();
    const ids = this.indexes[module].get(indexKey(field === "email" ? "emails" : field, value));
    return [...ids]
      .map((id) => this.records[module].get(Number(id))!)
      .filter((r) => !options.searchable || r.searchableAt <= at)
      .sort((a, b) => a.id - b.id);
  }

  /**
   * Creates (no `existing`) or updates a record from a write body
   * (`{first_name, …, custom_field: {cf_…}}`); a partial update, `null`
   * clears. Refuses unknown fields, bad values, missing names, unknown
   * references and values a unique field already holds elsewhere.
   */
  write(module: ModuleName, existing: StoredRecord | undefined, body: Record<string, unknown>, userId: number): StoredRecord {
    const values = { ...(existing?.values ?? {}) };
    const custom = { ...(existing?.custom ?? {}) };
    const problems: string[] = [];
    for (const [key, value] of Object.entries(body)) {
      if (key === "custom_field") continue;
      if (module === "contacts" && key === "email") {
        this.setPrimaryEmail(values, value, problems);
        continue;
      }
      const spec = standard[module][key];
      if (!spec) {
        problems.push(`${key} is not a valid attribute`);
        continue;
      }
      this.setStandard(values, key, spec, value, problems);
    }
    const given = body.custom_field;
    if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) problems.push("custom_field must be an object");
    for (const [key, value] of Object.entries((given as Record<string, unknown> | undefined) ?? {})) {
      const definition = this.customFields[module].find((f) => f.name === key);
      if (!definition) problems.push(`Custom field ${key} is not defined`);
      else if (value === null) delete custom[key];
      else if (checkType(definition.type, value)) custom[key] = value;
      else problems.push(`${capitalised(definition.label)} is invalid`);
    }
    if (!existing) problems.push(...this.missingOnCreate(module, values));
    problems.push(...this.brokenReferences(module, values, existing?.id));
    if (problems.length === 0) problems.push(...this.taken(module, values, custom, existing?.id));
    if (problems.length > 0) throw invalid(...problems);

    const at = this.now();
    if (module === "deals" && !existing && values.deal_stage_id === undefined) values.deal_stage_id = this.stages[0]!.id;
    const record: StoredRecord = existing
      ? Object.assign(existing, { values, custom, updated_at: at, updaterId: userId })
      : { id: this.newId(), created_at: at, updated_at: at, values, custom, searchableAt: Date.now() + this.searchDelayMs, createrId: userId, updaterId: userId };
    this.records[module].set(record.id, record);
    this.reindex(module, record);
    return record;
  }

  /** A record's deletion takes its notes with it. */
  remove(module: ModuleName, id: number): void {
    this.require(module, id);
    this.records[module].delete(id);
    this.indexes[module].remove(String(id));
    for (const note of this.notes.values()) if (moduleOfTarget[note.targetable_type] === module && note.targetable_id === id) this.notes.delete(note.id);
  }

  /** The notes on one record, oldest first. */
  notesOn(module: ModuleName, id: number): Note[] {
    return [...this.notes.values()].filter((n) => moduleOfTarget[n.targetable_type] === module && n.targetable_id === id).sort((a, b) => a.id - b.id);
  }

  /** Creates a note on an existing record: no key, so two creates of one text make two notes. */
  addNote(body: Record<string, unknown>, userId: number): Note {
    const type = body.targetable_type;
    const problems: string[] = [];
    if (typeof body.description !== "string" || body.description.trim() === "") problems.push("Description can't be blank");
    if (type !== "Contact" && type !== "SalesAccount" && type !== "Deal") problems.push("Targetable type is invalid");
    else if (!this.get(moduleOfTarget[type], Number(body.targetable_id))) problems.push("Targetable does not exist");
    if (problems.length > 0) throw invalid(...problems);
    const at = this.now();
    const note: Note = { id: this.newId(), description: body.description as string, targetable_type: type as NoteTarget, targetable_id: Number(body.targetable_id), creater_id: userId, created_at: at, updated_at: at };
    this.notes.set(note.id, note);
    return note;
  }

  private setPrimaryEmail(values: Record<string, unknown>, value: unknown, problems: string[]): void {
    if (value === null) {
      values.emails = ((values.emails as Email[] | undefined) ?? []).filter((e) => !e.is_primary);
      return;
    }
    if (typeof value !== "string" || !emailPattern.test(value)) {
      problems.push("Emails is invalid");
      return;
    }
    const others = ((values.emails as Email[] | undefined) ?? []).filter((e) => !e.is_primary && e.value.toLowerCase() !== value.toLowerCase());
    values.emails = [{ value, is_primary: true, label: null }, ...others];
  }

  private setStandard(values: Record<string, unknown>, key: string, spec: { label: string; type: FieldType }, value: unknown, problems: string[]): void {
    if (value === null) {
      delete values[key];
      return;
    }
    switch (spec.type) {
      case "emails": {
        const list = Array.isArray(value) ? value : undefined;
        const emails = list?.map((e) => (typeof e === "string" ? { value: e } : (e as Partial<Email>)));
        if (!emails || emails.some((e) => typeof e.value !== "string" || !emailPattern.test(e.value))) {
          problems.push("Emails is invalid");
          return;
        }
        const primary = Math.max(0, emails.findIndex((e) => e.is_primary === true));
        values.emails = emails.map((e, i) => ({ value: e.value!, is_primary: i === primary, label: e.label ?? null }));
        return;
      }
      case "id_list": {
        const ids = Array.isArray(value) ? value.map((v) => (typeof v === "object" && v !== null ? (v as { id?: unknown }).id : v)) : undefined;
        if (!ids || ids.some((id) => !Number.isInteger(Number(id)))) return void problems.push(`${spec.label} is invalid`);
        if (key === "contacts_added_list") values.contact_ids = [...new Set([...((values.contact_ids as number[] | undefined) ?? []), ...ids.map(Number)])];
        else values[key] = ids.map(Number);
        return;
      }
      case "product_lines": {
        const lines = Array.isArray(value) ? (value as Record<string, unknown>[]) : undefined;
        const valid = lines?.every((l) => typeof l === "object" && l !== null && Number.isInteger(Number(l.id)) && typeof l.quantity === "number" && l.quantity > 0);
        if (!lines || !valid) return void problems.push("Products is invalid");
        values.products = lines.map((l): ProductLine => ({ product_id: Number(l.id), quantity: l.quantity as number, unit_price: typeof l.unit_price === "number" ? l.unit_price : NaN }));
        return;
      }
      default:
        if (!checkType(spec.type, value)) problems.push(`${spec.label} is invalid`);
        else values[key] = spec.type === "id" ? Number(value) : value;
    }
  }

  private missingOnCreate(module: ModuleName, values: Record<string, unknown>): string[] {
    if (module === "contacts") {
      const named = [values.first_name, values.last_name].some((v) => typeof v === "string" && v.trim() !== "");
      const reachable = ((values.emails as Email[] | undefined) ?? []).length > 0 || typeof values.mobile_number === "string";
      return named || reachable ? [] : ["Contact needs a name, an email or a mobile number"];
    }
    return typeof values.name === "string" && values.name.trim() !== "" ? [] : ["Name can't be blank"];
  }

  private brokenReferences(module: ModuleName, values: Record<string, unknown>, self: number | undefined): string[] {
    const problems: string[] = [];
    const exists = (target: ModuleName, id: unknown) => typeof id === "number" && this.records[target].has(id);
    if (module === "contacts") for (const id of (values.sales_accounts as number[] | undefined) ?? []) if (!exists("sales_accounts", id)) problems.push("Sales account does not exist");
    if (module === "sales_accounts" && values.parent_sales_account_id !== undefined) {
      if (values.parent_sales_account_id === self || !exists("sales_accounts", values.parent_sales_account_id)) problems.push("Parent sales account is invalid");
    }
    if (module === "deals") {
      if (values.sales_account_id !== undefined && !exists("sales_accounts", values.sales_account_id)) problems.push("Sales account does not exist");
      for (const id of (values.contact_ids as number[] | undefined) ?? []) if (!exists("contacts", id)) problems.push("Contact does not exist");
      if (values.deal_stage_id !== undefined && !this.stages.some((s) => s.id === values.deal_stage_id)) problems.push("Deal stage is invalid");
      for (const line of (values.products as ProductLine[] | undefined) ?? []) if (!this.products.has(line.product_id)) problems.push("Product does not exist");
    }
    return problems;
  }

  /** "<Label> has already been taken" for each unique field whose value another record holds. */
  private taken(module: ModuleName, values: Record<string, unknown>, custom: Record<string, unknown>, self: number | undefined): string[] {
    const problems: string[] = [];
    for (const field of this.fieldsOf(module).filter((f) => f.unique)) {
      const held = field.name === "emails" ? ((values.emails as Email[] | undefined) ?? []).map((e) => e.value) : [field.custom ? custom[field.name] : values[field.name]];
      const clash = held.some((v) => v !== undefined && v !== null && [...this.indexes[module].get(indexKey(field.name, v))].some((id) => Number(id) !== self));
      if (clash) problems.push(`${capitalised(field.label)} has already been taken`);
    }
    return problems;
  }

  private reindex(module: ModuleName, record: StoredRecord): void {
    const keys: string[] = [];
    for (const [name, value] of Object.entries(record.values)) {
      if (name === "emails") keys.push(...(value as Email[]).map((e) => indexKey("emails", e.value)));
      else if (typeof value === "string" || typeof value === "number") keys.push(indexKey(name, value));
    }
    for (const [name, value] of Object.entries(record.custom)) if (typeof value !== "object") keys.push(indexKey(name, value));
    this.indexes[module].put(String(record.id), keys);
  }
}

function checkType(type: FieldType, value: unknown): boolean {
  switch (type) {
    case "text":
    case "textarea":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "checkbox":
      return typeof value === "boolean";
    case "datetime":
      return typeof value === "string" && !Number.isNaN(Date.parse(value));
    case "id":
      return Number.isInteger(Number(value)) && value !== "" && typeof value !== "boolean";
    case "text_list":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
    default:
      return false;
  }
}
