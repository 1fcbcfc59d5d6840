import { randomUUID } from "node:crypto";
import { invalid } from "./errors";
import type { FreshsalesStore, ModuleName, StoredRecord } from "./store";

export type Changed = (module: ModuleName, record: StoredRecord, event: "created" | "updated") => void;
export type Upserted = { record: StoredRecord; created: boolean };

const asObject = (value: unknown, what: string): Record<string, unknown> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(`${what} must be an object`);
  return value as Record<string, unknown>;
};

/**
 * `unique_identifier` names exactly one unique field of the module: a
 * contact's `emails` or `mobile_number`, a sales account's `name`, or a
 * custom field the admin marked unique.
 */
function identifierOf(store: FreshsalesStore, module: ModuleName, raw: unknown): { field: string; value: string | number; custom: boolean } {
  const entries = Object.entries(asObject(raw, "unique_identifier"));
  const [field, value] = entries[0] ?? [];
  const definition = store.fieldsOf(module).find((f) => f.name === field && f.unique);
  if (entries.length !== 1 || !definition || (typeof value !== "string" && typeof value !== "number") || value === "") {
    throw invalid("unique_identifier must name one unique field and its value");
  }
  return { field: field!, value, custom: definition.custom };
}

/**
 * Find by the unique field, then update what was found or create a record
 * holding the identifier. The gap between the two steps is where
 * concurrent upserts of one new key race: the later create finds the
 * value taken and is refused, as a unique index refuses it.
 */
export async function upsert(store: FreshsalesStore, module: ModuleName, identifier: unknown, data: unknown, options: { gapMs: number; changed: Changed; userId: number }): Promise<Upserted> {
  const key = identifierOf(store, module, identifier);
  const body = { ...asObject(data ?? {}, "record") };
  const [found] = store.find(module, key.field, key.value);
  if (options.gapMs > 0) await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  const existing = found ? store.get(module, found.id) : undefined;
  if (key.custom) body.custom_field = { ...(body.custom_field as Record<string, unknown> | undefined), [key.field]: key.value };
  else if (key.field === "emails" && !existing) body.email = key.value;
  else if (!existing) body[key.field] = key.value;
  const record = store.write(module, existing, body, options.userId);
  options.changed(module, record, existing ? "updated" : "created");
  return { record, created: !existing };
}

export type JobResult = { index: number; status: "success"; id: number; action: "created" | "updated" } | { index: number; status: "failure"; errors: { code: number; message: string[] } };
export type BulkJob = {
  id: string;
  module: ModuleName;
  status: "queued" | "in_progress" | "completed";
  total: number;
  success_count: number;
  failure_count: number;
  results: JobResult[];
  created_at: string;
  completed_at: string | null;
};

/**
 * Bulk upserts run as jobs, one after another for the account, each record
 * as a single upsert would run (so uniqueness and validation apply); a job
 * starts `delayMs` after it was queued at the earliest.
 */
export class BulkJobs {
  readonly jobs = new Map<string, BulkJob>();
  private queue: Promise<void> = Promise.resolve();
  private gate: Promise<void> = Promise.resolve();
  delayMs = 20;

  /** Holds every job not started yet in the queue until the answered function is called (a test sees a job queued, whatever the load). */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return release;
  }

  submit(store: FreshsalesStore, module: ModuleName, items: { unique_identifier: unknown; data: unknown }[], changed: Changed, userId: number): BulkJob {
    const job: BulkJob = { id: randomUUID(), module, status: "queued", total: items.length, success_count: 0, failure_count: 0, results: [], created_at: store.now(), completed_at: null };
    this.jobs.set(job.id, job);
    const queuedAt = Date.now();
    this.queue = this.queue.then(async () => {
      await this.gate;
      const wait = queuedAt + this.delayMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      job.status = "in_progress";
      for (const [index, item] of items.entries()) {
        try {
          const { record, created } = await upsert(store, module, item.unique_identifier, item.data, { gapMs: 0, changed, userId });
          job.results.push({ index, status: "success", id: record.id, action: created ? "created" : "updated" });
          job.success_count++;
        } catch (error) {
          const messages = (error as { messages?: string[] }).messages ?? ["Something went wrong"];
          job.results.push({ index, status: "failure", errors: { code: (error as { status?: number }).status ?? 500, message: messages } });
          job.failure_count++;
        }
      }
      job.status = "completed";
      job.completed_at = store.now();
    });
    return job;
  }

  /** Resolves once every job queued so far has finished. */
  idle(): Promise<void> {
    return this.queue;
  }
}
