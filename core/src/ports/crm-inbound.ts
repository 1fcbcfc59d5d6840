import { z } from "zod";
import { companyPaths, personPaths } from "../domain/inbound";
import type { CallContext } from "./crm-outbound";

/** A request as it reached one of our CRM-facing endpoints, before anything was parsed. */
export type InboundRequest = {
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** Query parameters of the request URL (a shared secret may travel as `?code=`). */
  query: Record<string, string | undefined>;
  /** The raw body: signatures are computed over the bytes as sent. */
  rawBody: Buffer;
  receivedAt: Date;
  /**
   * The secret the CRM issued when we subscribed to its webhooks (Close's
   * `signature_key`), as the apps keep it; a secret in the connector's
   * settings takes precedence.
   */
  issuedSecret?: string;
};

/** Why a request is refused before its body is read: 401 unauthentic, 413 oversized. */
export type Refusal = { status: 401 | 413; reason: string };

/** The record kinds a CRM change can be about, in canonical terms. */
export const crmEntities = ["person", "company", "deal"] as const;
export type CrmEntity = (typeof crmEntities)[number];

/**
 * One change the CRM told us about. It says *which* record changed; the apply
 * step re-reads the record through `readRecord` before acting, so nothing the
 * delivery carries is trusted as the record's data.
 */
export type CrmChange = {
  entity: CrmEntity;
  crmId: string;
  /** A deletion changes nothing in commercetools (a CRM clean-up is not a shop's); it is logged. */
  action: "created" | "updated" | "deleted";
  /** The CRM's modification time of the record, ISO 8601 in UTC, when the delivery names it (a change older than the one last applied is dropped unread). */
  modifiedAt?: string;
  /**
   * Dedupe key of the delivery this change came in (Outbound Message
   * notification ID, webhook event ID; for polling, one per record and
   * modification time): the same key twice is the same change.
   */
  deliveryId: string;
};

/** A delivery taken apart: its changes, and the body the CRM expects as acknowledgement (SOAP Ack), if any. */
export type ParsedDelivery = {
  changes: CrmChange[];
  acknowledgement?: { contentType: string; body: string };
};

export { companyPaths, personPaths, type CompanyPath, type PersonPath } from "../domain/inbound";

/** A standard field's value: null (or absent) when the CRM holds it empty; consent is a boolean, the rest text. */
const fieldValue = z.union([z.string(), z.boolean(), z.null()]);
const standardFields = <P extends readonly string[]>(paths: P) =>
  z.strictObject(Object.fromEntries(paths.map((p) => [p, fieldValue.optional()])) as { [K in P[number]]: z.ZodOptional<typeof fieldValue> });

const snapshotBase = {
  crmId: z.string().min(1),
  /** The commercetools ID the record carries in our external-ID field, if any. */
  sourceId: z.string().min(1).optional(),
  /** The CRM's modification time of the record, ISO 8601 in UTC (`2026-11-20T10:05:00.000Z`): stale changes are dropped by it. */
  modifiedAt: z.iso.datetime({ offset: false }),
  /**
   * Every field a mapping can name, under the name a mapping target uses for
   * it in this CRM (Salesforce API names such as `Description`; Close
   * `custom.cf_<id>`): CRM-owned mapped fields are read from here.
   */
  crmFields: z.record(z.string(), z.unknown()),
};

/** A contact as the CRM holds it now. */
export const crmPersonSnapshotSchema = z.strictObject({
  entity: z.literal("person"),
  ...snapshotBase,
  fields: standardFields(personPaths),
  /** The follow-up flag (Salesforce `CT_Follow_Up__c`, Close custom field `ct_follow_up`); false when unset. */
  followUp: z.boolean(),
  /** The contact's segments or tags (Salesforce `CT_Segments__c`, Close custom field `ct_segments`), trimmed, without blanks or repeats; [] when none. */
  segments: z.array(z.string().min(1)),
  /** CRM ID of the company record (account, lead) the contact belongs to. */
  companyCrmId: z.string().min(1).optional(),
});

/** An account (company) as the CRM holds it now. */
export const crmCompanySnapshotSchema = z.strictObject({
  entity: z.literal("company"),
  ...snapshotBase,
  fields: standardFields(companyPaths),
});

/** A product line of a deal: a commercetools SKU and how many. */
export const dealLineSchema = z.strictObject({ sku: z.string().min(1), quantity: z.number().int().positive() });

/** An opportunity (deal) as the CRM holds it now. */
export const crmDealSnapshotSchema = z.strictObject({
  entity: z.literal("deal"),
  ...snapshotBase,
  deal: z.strictObject({
    name: z.string().optional(),
    /** The CRM's own stage or status label ("Closed Won", "Negotiation/Review", "Active"). */
    stage: z.string().optional(),
    /** Where the deal stands, whatever the CRM calls its stages. */
    status: z.enum(["open", "won", "lost"]),
    /** In the currency's major unit (12.5 is 12.50). */
    amount: z.number().optional(),
    /** ISO 4217. */
    currency: z.string().regex(/^[A-Z]{3}$/).optional(),
    /** The contact the deal is for (Close: the opportunity's contact, else its lead's first contact). */
    personCrmId: z.string().min(1).optional(),
    /** The company (account, lead) the deal is with. */
    companyCrmId: z.string().min(1).optional(),
    /** Its products (Salesforce OpportunityLineItem, ProductCode = SKU); absent where the CRM's deals have no line items. */
    lines: z.array(dealLineSchema).optional(),
  }),
});

/**
 * A record as the CRM holds it now, read by CRM ID, in canonical terms the
 * connector fills in. The apply step checks every snapshot with this schema
 * before acting on it: a connector that answers something else fails loudly
 * instead of writing nonsense to commercetools.
 */
export const crmSnapshotSchema = z.discriminatedUnion("entity", [crmPersonSnapshotSchema, crmCompanySnapshotSchema, crmDealSnapshotSchema]);
export type CrmSnapshot = z.infer<typeof crmSnapshotSchema>;
export type CrmPersonSnapshot = z.infer<typeof crmPersonSnapshotSchema>;
export type CrmCompanySnapshot = z.infer<typeof crmCompanySnapshotSchema>;
export type CrmDealSnapshot = z.infer<typeof crmDealSnapshotSchema>;
export type DealLine = z.infer<typeof dealLineSchema>;

/**
 * Thrown by `parse` for an authentic delivery that cannot be understood:
 * stored for review and acknowledged (with `acknowledgement` when the CRM
 * expects a body, or it redelivers).
 */
export class MalformedDelivery extends Error {
  constructor(
    message: string,
    readonly acknowledgement?: ParsedDelivery["acknowledgement"],
  ) {
    super(message);
    this.name = "MalformedDelivery";
  }
}

/**
 * The inbound half of the contract (CRM → commercetools). Verification runs
 * before anything is parsed and compares secrets in constant time; what
 * fails it changes nothing.
 */
export interface CrmInbound {
  /** Largest body accepted; larger requests are refused with 413 before they are verified. */
  readonly maxBodyBytes: number;
  /** Undefined when the request is authentic (signature, shared secret, organisation, freshness). */
  verify(request: InboundRequest): Refusal | undefined;
  /** Only for verified requests; throws MalformedDelivery when the body cannot be understood. */
  parse(request: InboundRequest): ParsedDelivery;
  /** The record as the CRM holds it now (checked against `crmSnapshotSchema` by the caller); undefined when it is gone. */
  readRecord(entity: CrmEntity, crmId: string, ctx: CallContext): Promise<CrmSnapshot | undefined>;
  /**
   * Polling, the safety net for missed webhooks: changes after `checkpoint`
   * (an opaque cursor of this CRM; undefined lists from the beginning), one
   * page per call, oldest first, with the checkpoint to continue from (the
   * same one when nothing changed). Absent for CRMs that cannot list changes;
   * present together with `checkpointAt`.
   */
  changesSince?(entity: CrmEntity, checkpoint: string | undefined, ctx: CallContext): Promise<{ changes: CrmChange[]; checkpoint: string | undefined }>;
  /** The checkpoint from which `changesSince` lists changes made after `instant` (ISO 8601): polling's first run starts there, not at the CRM's first record. */
  checkpointAt?(instant: string): string;
  /**
   * Writes the commercetools ID into our external-ID field of a contact that
   * was born in the CRM, once a customer has been created from it, so the
   * outbound side's upserts update that contact instead of creating a second
   * one. Absent: customers are not created from unknown CRM contacts with this CRM.
   */
  adopt?(entity: "person", crmId: string, sourceId: string, ctx: CallContext): Promise<void>;
  /**
   * Subscribes `url` to the CRM's webhooks for person, company and deal
   * changes (created, updated, deleted), idempotently: a subscription of ours
   * to `url` is kept, unless `renew` (its issued secret was lost), which
   * replaces it. Answers the secret the CRM issued for a new subscription, for
   * the caller to keep (`InboundRequest.issuedSecret`). Absent where the
   * CRM's admin sets deliveries up (Salesforce Outbound Messages).
   */
  subscribe?(url: string, options: { renew: boolean }, ctx: CallContext): Promise<{ issuedSecret?: string }>;
}
