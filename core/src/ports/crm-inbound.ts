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
  action: "created" | "updated" | "deleted";
  /** The CRM's modification time of the record, when the delivery names it (stale deliveries are dropped by it). */
  modifiedAt?: string;
  /** Dedupe key of the delivery this change came in (Outbound Message notification ID, webhook event ID). */
  deliveryId: string;
};

/** A delivery taken apart: its changes, and the body the CRM expects as acknowledgement (SOAP Ack), if any. */
export type ParsedDelivery = {
  changes: CrmChange[];
  acknowledgement?: { contentType: string; body: string };
};

/** A record as the CRM holds it now, read by CRM ID, in canonical field names. */
export type CrmSnapshot = {
  entity: CrmEntity;
  crmId: string;
  /** The commercetools ID it carries (our external-ID field), if any. */
  sourceId?: string;
  /** The CRM's modification time. */
  modifiedAt: string;
  fields: Record<string, unknown>;
};

/** Thrown by `parse` for an authentic delivery that cannot be understood: stored for review and acknowledged. */
export class MalformedDelivery extends Error {
  constructor(message: string) {
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
  /** The record as the CRM holds it now; undefined when it is gone. */
  readRecord(entity: CrmEntity, crmId: string, ctx: CallContext): Promise<CrmSnapshot | undefined>;
  /**
   * Polling, the safety net for missed webhooks: changes after `checkpoint`
   * (an opaque cursor of this CRM), one page per call, with the checkpoint to
   * continue from. Absent for CRMs that cannot list changes.
   */
  changesSince?(entity: CrmEntity, checkpoint: string | undefined, ctx: CallContext): Promise<{ changes: CrmChange[]; checkpoint: string | undefined }>;
}
