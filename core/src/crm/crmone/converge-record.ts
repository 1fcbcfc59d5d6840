import { converge, type Converged } from "../kit/converge";
import { type Call, createRecord, type CrmOneRecord, deleteRecord, findAll, isoTimestamp } from "./api";
import type { RecordData } from "./mapping";

/** Oldest first, ties by ID: the order every writer reads candidates in. */
export const oldestFirstOrder = "date_entered ASC, id ASC";

export type KeyedRecord = {
  model: string;
  /** The in-process lock of the key (`person:<id>`): writers inside one process queue there. */
  lock: string;
  /** How the key's records are found (`{ct_customer_id: "…"}`). */
  filters: Record<string, string>;
  /** Fields a find reads: ID and date_entered at least. */
  fields?: readonly string[];
  /** The data of a record this writer creates. */
  data(): RecordData;
  /** Brings a record found (or another writer's) up to date; absent, it is left as it is. */
  update?(found: CrmOneRecord): Promise<void>;
  /** Moves what hangs off a duplicate onto the survivor before the duplicate goes. */
  absorb?(duplicate: CrmOneRecord, survivor: CrmOneRecord): Promise<void>;
};

/**
 * One record per key, for a CRM without upsert or unique keys: find by the
 * key's filter → create when there is none → re-check → keep the oldest →
 * delete the others (the kit's converge), under the key's in-process lock.
 * Writers in other processes that both created converge on the same oldest
 * record; 1CRM lists are read from its database, so the re-check sees every
 * record created before it.
 */
export function convergeRecord(call: Call, key: KeyedRecord): Promise<Converged<CrmOneRecord>> {
  return call.lock.run(key.lock, () =>
    converge<CrmOneRecord>({
      find: () => findAll(call, key.model, key.filters, key.fields ?? ["id", "date_entered"], oldestFirstOrder),
      create: async () => ({ id: await createRecord(call, key.model, key.data()) }),
      createdAt: (record) => isoTimestamp(record.date_entered),
      async remove(duplicate, survivor) {
        await deleteRecord(call, key.model, duplicate.id);
        call.logger.warn("crmone: removed a duplicate record", { model: key.model, kept: survivor.id, removed: duplicate.id });
      },
      ...(key.absorb ? { absorb: key.absorb } : {}),
      ...(key.update ? { update: key.update } : {}),
    }),
  );
}
