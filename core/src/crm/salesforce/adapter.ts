import { z } from "zod";
import { SyncError } from "../../domain/errors";
import type { Company, OrderActivity, Person } from "../../domain/model";
import { type Clock, systemClock } from "../../ports/clock";
import type { CallContext, CrmAdapter, CrmLimits, CrmRecord, PersonQuery, WriteOutcome } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import { TokenSource } from "./auth";
import { bulkThreshold, bulkUpsert, defaultBulkOptions, type BulkOptions } from "./bulk";
import { SalesforceClient, type ApiUsage } from "./client";
import { generations } from "./company-order";
import { upsertCollection } from "./collections";
import { defaultThrottleRetryAfterSeconds } from "./errors";
import { salesforceReconciliation } from "./reconcile";
import {
  accountBody,
  accountExternalId,
  accountObject,
  contactBody,
  contactExternalId,
  contactObject,
  defaultLastNamePlaceholder,
  orderBody,
  orderExternalId,
  orderObject,
  requiredFields,
} from "./mapping";

export type SalesforceAdapterConfig = {
  /** The org's My Domain URL (client-credentials tokens are not issued on login.salesforce.com). */
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  /** e.g. "62.0" */
  apiVersion?: string;
  correlationHeader?: string;
  timeoutMs?: number;
  /** Wait asked of the retry policy on REQUEST_LIMIT_EXCEEDED (Salesforce sends no Retry-After). */
  throttleRetryAfterSeconds?: number;
  /** Sent as LastName when a person has none; null sends nothing (the org then refuses new contacts). */
  lastNamePlaceholder?: string | null;
  bulk?: Partial<BulkOptions>;
  clock?: Clock;
  logger?: Logger;
};

export type SalesforceAdapter = CrmAdapter & {
  /** Backfills: the same upsert through a Bulk API 2.0 job (use above `bulkThreshold` records). */
  bulkUpsertPeople(records: Person[], ctx: CallContext): Promise<WriteOutcome[]>;
  /** Daily API usage as of the last response. */
  apiUsage(): ApiUsage | undefined;
};

/**
 * Salesforce: ~100k+ calls a day is the real limit (watched through
 * Sforce-Limit-Info); 25 long-running requests at once is the concurrency cap,
 * we stay well under it.
 */
export const salesforceLimits: CrmLimits = { maxBatchSize: 200, requestsPerSecond: 5, maxConcurrency: 10 };

const contactRow = z
  .object({
    Id: z.string(),
    CT_Customer_Id__c: z.string().nullable().optional(),
    Account: z.object({ CT_Business_Unit_Id__c: z.string().nullable().optional() }).nullable().optional(),
  })
  .catchall(z.unknown());
const queryPage = z.object({ totalSize: z.number(), done: z.boolean(), nextRecordsUrl: z.string().optional(), records: z.array(contactRow) });
const describeResult = z.object({ fields: z.array(z.object({ name: z.string() })) });

/** SOQL string literal: backslash escapes, as the SOQL reference requires. */
export const soqlString = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\r/g, "\\r")}'`;

const personFields = [
  "Id",
  "CT_Customer_Id__c",
  "FirstName",
  "LastName",
  "Email",
  "Phone",
  "AccountId",
  "Account.CT_Business_Unit_Id__c",
  "HasOptedOutOfEmail",
  "CT_Last_Purchase_Date__c",
  "LastModifiedDate",
];

export function createSalesforceAdapter(config: SalesforceAdapterConfig): SalesforceAdapter {
  const apiVersion = config.apiVersion ?? "62.0";
  const tokens = new TokenSource({ loginUrl: config.loginUrl, clientId: config.clientId, clientSecret: config.clientSecret, apiVersion });
  const client = new SalesforceClient(tokens, {
    apiVersion,
    correlationHeader: config.correlationHeader ?? "X-Correlation-ID",
    timeoutMs: config.timeoutMs ?? 30_000,
    throttleRetryAfterSeconds: config.throttleRetryAfterSeconds ?? defaultThrottleRetryAfterSeconds,
    ...(config.logger ? { logger: config.logger } : {}),
  });
  const placeholder = config.lastNamePlaceholder === undefined ? defaultLastNamePlaceholder : config.lastNamePlaceholder;
  const bulkOptions: BulkOptions = { ...defaultBulkOptions, ...config.bulk };
  const clock = config.clock ?? systemClock;
  let schemaChecked: Promise<void> | undefined;

  const people = (records: Person[]) => records.map((p) => ({ sourceId: p.sourceId, body: contactBody(p, placeholder) }));

  async function checkSchema(ctx: CallContext): Promise<void> {
    const missing: string[] = [];
    for (const [object, fields] of Object.entries(requiredFields)) {
      try {
        const d = await client.json({ method: "GET", path: `/sobjects/${object}/describe` }, describeResult, ctx);
        const present = new Set(d.fields.map((f) => f.name));
        missing.push(...fields.filter((f) => !present.has(f)).map((f) => `${object}.${f}`));
      } catch (error) {
        if (error instanceof SyncError && error.errorClass === "not_found") missing.push(object);
        else throw error;
      }
    }
    if (missing.length) {
      throw new SyncError({
        errorClass: "validation",
        message: `The Salesforce org lacks what ct-crm-sync writes: ${missing.join(", ")} (install them, see the Salesforce adapter README)`,
      });
    }
  }

  const bulkUpsertPeople = (records: Person[], ctx: CallContext) =>
    bulkUpsert(client, clock, contactObject, contactExternalId, people(records), ctx, bulkOptions);

  return {
    name: "salesforce",
    limits: salesforceLimits,
    bulk: { threshold: bulkThreshold, upsertPeople: bulkUpsertPeople },
    reconcile: salesforceReconciliation(client, placeholder),

    ensureSchema(ctx) {
      // We never create metadata in the merchant's org: we verify it once per adapter.
      schemaChecked ??= checkSchema(ctx).catch((error: unknown) => {
        schemaChecked = undefined;
        throw error;
      });
      return schemaChecked;
    },

    async upsertCompanies(records: Company[], ctx) {
      const outcomes: WriteOutcome[] = new Array(records.length);
      for (const generation of generations(records)) {
        const items = generation.map((i) => ({ sourceId: records[i]!.sourceId, body: accountBody(records[i]!) }));
        const results = await upsertCollection(client, accountObject, accountExternalId, items, ctx);
        generation.forEach((index, k) => (outcomes[index] = results[k]!));
      }
      return outcomes;
    },

    upsertPeople(records, ctx) {
      return upsertCollection(client, contactObject, contactExternalId, people(records), ctx);
    },

    upsertOrders(records: OrderActivity[], ctx) {
      return upsertCollection(
        client,
        orderObject,
        orderExternalId,
        records.map((o) => ({ sourceId: o.sourceId, body: orderBody(o) })),
        ctx,
      );
    },

    async findPeople(query: PersonQuery, ctx): Promise<CrmRecord[]> {
      const where = "sourceId" in query ? `${contactExternalId} = ${soqlString(query.sourceId)}` : `Email = ${soqlString(query.email)}`;
      const soql = `SELECT ${personFields.join(", ")} FROM ${contactObject} WHERE ${where} ORDER BY CreatedDate`;
      const out: CrmRecord[] = [];
      let page = await client.json({ method: "GET", path: `/query?q=${encodeURIComponent(soql)}` }, queryPage, ctx);
      for (;;) {
        for (const { attributes: _attributes, ...row } of page.records) {
          const record: CrmRecord = { crmId: row.Id, fields: row };
          if (row.CT_Customer_Id__c) record.sourceId = row.CT_Customer_Id__c;
          out.push(record);
        }
        if (page.done || !page.nextRecordsUrl) return out;
        page = await client.json({ method: "GET", path: page.nextRecordsUrl }, queryPage, ctx);
      }
    },

    bulkUpsertPeople,

    apiUsage: () => client.apiUsage,
  };
}
