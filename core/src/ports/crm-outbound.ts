import type { CartDeal, Company, OrderActivity, OrderEvent, Person } from "../domain/model";
import type { SyncErrorDetails } from "../domain/errors";

/** A connector's name (its folder under core/src/crm), e.g. the value of the `CRM` setting. */
export type CrmName = string;

/** What the CRM allows, declared by the adapter so the rate limiter can stay below it. */
export type CrmLimits = {
  /** Records in one batched write call (1 where the CRM has no batch write). */
  maxBatchSize: number;
  /** Sustained requests per second we allow ourselves against one connection. */
  requestsPerSecond: number;
  /** Requests in flight at once against one connection. */
  maxConcurrency: number;
};

export type CallContext = {
  /** Follows a record from the incoming message to the CRM request. */
  correlationId: string;
  signal?: AbortSignal;
  /**
   * Records gathered from several requests into one call (micro-batched
   * pushes): each record's own correlation ID by source ID, stored on its link
   * and failure entry; `correlationId` names the batched call itself.
   */
  correlationIds?: ReadonlyMap<string, string>;
};

/** How much of the CRM connection is spoken for, for callers that can step back (Pub/Sub redelivers later). */
export type CrmBudget = {
  /** The connection's pacing queue is full: a new request would be refused rather than wait. */
  queueFull: boolean;
  /** Share (0..1) of the CRM's own API allowance used in its current window, when the CRM announces it. */
  allowanceUsed?: number;
};

export type WriteOutcome =
  | { sourceId: string; ok: true; crmId: string; created: boolean }
  | { sourceId: string; ok: false; error: SyncErrorDetails };

/** A record as the CRM holds it, read back through the CRM's own API. */
export type CrmRecord = {
  crmId: string;
  /** The commercetools ID stored in the CRM's external-ID field, if any. */
  sourceId?: string;
  fields: Record<string, unknown>;
};

export type PersonQuery = { sourceId: string } | { email: string };

/** A value compared by reconciliation, in the adapter's normalised form. */
export type ComparableValue = string | number | boolean | null;

/** A synced person as the CRM holds it: its commercetools ID and the compared values. */
export type SyncedPerson = { crmId: string; sourceId: string; values: Record<string, ComparableValue> };

/** Bulk writes for backfills (e.g. Salesforce Bulk API 2.0): fewer calls, slower start. */
export interface CrmBulkWrites {
  /** From this many records on, the bulk path is the cheaper one. */
  readonly threshold: number;
  upsertPeople(records: Person[], ctx: CallContext): Promise<WriteOutcome[]>;
}

/** The kinds of synced record reconciliation compares. */
export type ReconciledKind = "person" | "company" | "order";

/** A synced record as the CRM holds it: its commercetools ID and the compared values (may be empty: presence only). */
export type SyncedRecord = { crmId: string; sourceId: string; values: Record<string, ComparableValue> };

/** What reconciliation needs: read the synced population page by page, compare, delete orphans. */
export interface CrmReconciliation {
  /**
   * The CRM records carrying these commercetools IDs (at most 100 a call), in
   * as few requests as the CRM allows (one query with an `in` filter, not one
   * per ID). Every record is answered: two for one ID is a duplicate. A kind
   * the CRM keeps no separate record for answers what it can (e.g. orders as
   * activities keyed by `orderActivityKey`).
   */
  readSynced(kind: ReconciledKind, sourceIds: string[], ctx: CallContext): Promise<SyncedRecord[]>;
  /** The values compared for a company or an order, in `readSynced`'s normalised form (people: `expectedPersonValues`). */
  expectedValues(record: Company | OrderActivity): Record<string, ComparableValue>;
  /**
   * The values this adapter writes for a person, in the same normalised form
   * `listPeople` answers them. Fields the write would leave alone are absent
   * (they are not compared).
   */
  expectedPersonValues(person: Person): Record<string, ComparableValue>;
  /** People carrying a commercetools ID, one page per call; `cursor` from the previous page. */
  listPeople(cursor: string | undefined, ctx: CallContext): Promise<{ people: SyncedPerson[]; cursor?: string }>;
  /** Deletes one person record by CRM ID; deleting what is gone is not an error. */
  deletePerson(crmId: string, ctx: CallContext): Promise<void>;
}

/**
 * The outbound half of the contract every CRM implements (commercetools → CRM);
 * the inbound half is `CrmInbound` (crm-inbound.ts). Adapters translate canonical records into the
 * CRM's own calls; they never retry (the retry policy is in one place) and
 * never log personal data.
 *
 * - A failure of the whole call (network, 5xx, throttling, auth) is thrown as
 *   a SyncError; a failure of one record in a batch is returned as its outcome.
 * - Writes are upserts keyed on the commercetools ID: repeating a call, or
 *   running it twice at once, leaves one record in the CRM.
 * - Outcomes come back in the order of the input.
 */
export interface CrmAdapter {
  readonly name: CrmName;
  readonly limits: CrmLimits;
  /** Idempotent one-time setup (custom fields, activity types). Safe to call often. */
  ensureSchema(ctx: CallContext): Promise<void>;
  upsertCompanies(records: Company[], ctx: CallContext): Promise<WriteOutcome[]>;
  upsertPeople(records: Person[], ctx: CallContext): Promise<WriteOutcome[]>;
  /** Writes the order record/activity once per `activityKey`, linked to its person and company. */
  upsertOrders(records: OrderActivity[], ctx: CallContext): Promise<WriteOutcome[]>;
  findPeople(query: PersonQuery, ctx: CallContext): Promise<CrmRecord[]>;
  /**
   * Writes each cart as one opportunity/deal keyed by `dealKey` (create,
   * update, close as won linked to the order record, flag abandoned), linked
   * to its person and company. Amounts in the CRM's own units.
   */
  upsertDeals(records: CartDeal[], ctx: CallContext): Promise<WriteOutcome[]>;
  /** Writes each order transition as one timeline entry keyed by its `sourceId`; an entry already there is left as it is. */
  recordOrderEvents(events: OrderEvent[], ctx: CallContext): Promise<WriteOutcome[]>;
  /** Optional: a bulk path for backfills (absent: backfills use the batched writes above). */
  readonly bulk?: CrmBulkWrites;
  /** Optional: reading back the synced population (absent: the CRM cannot be reconciled). */
  readonly reconcile?: CrmReconciliation;
  /** Optional: the connection's pacing queue and API allowance as they stand (absent: nothing known). */
  budget?(): CrmBudget;
}
