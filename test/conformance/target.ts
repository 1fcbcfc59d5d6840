import type { z } from "zod";
import type { fieldMappingSchema, MappingConfigInput } from "@ct-crm-sync/core/domain/mapping-config";
import type { CallContext, CrmAdapter, CrmName } from "@ct-crm-sync/core/ports/crm-outbound";
import type { Person } from "@ct-crm-sync/core/domain/model";
import type { FaultSpec } from "../simulators/shared/faults";

/** A person as the CRM holds it, read back through the CRM's own read API. */
export type InspectedPerson = {
  crmId: string;
  sourceId?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  /** commercetools business-unit ID of the company this person sits under, if any. */
  companySourceId?: string;
  lastPurchaseAt?: string;
};
export type InspectedCompany = { crmId: string; sourceId?: string; name?: string; parentSourceId?: string };
export type InspectedOrder = {
  crmId: string;
  /** commercetools order ID (or activity key) stored on the CRM record. */
  sourceId?: string;
  personSourceId?: string;
  orderNumber?: string;
  /** Total in major units (e.g. 12.34), whatever unit the CRM stores. */
  totalAmount?: number;
  currency?: string;
  orderState?: string;
  paymentState?: string;
};

/** A cart's opportunity/deal as Sales sees it, read through the CRM's own API. */
export type InspectedDeal = {
  crmId: string;
  /** The deal key (`cartDealKey`) or cart ID stored on the CRM record. */
  dealKey?: string;
  personSourceId?: string;
  companySourceId?: string;
  /** Amount in major units (e.g. 12.34), whatever unit the CRM stores. */
  amount?: number;
  currency?: string;
  /** Open, flagged abandoned (still open), closed won or closed lost, in the CRM's own terms mapped back. */
  status?: "open" | "abandoned" | "won" | "lost";
  /** For a won deal: the commercetools order ID (or its activity key) it is linked to. */
  orderSourceId?: string;
};

/** One timeline entry of an order's life (paid, shipped, …), read through the CRM's own API. */
export type InspectedTimelineEntry = {
  crmId: string;
  /** The entry's deterministic key (`orderEventKey`) as stored on the CRM record. */
  key?: string;
  orderSourceId?: string;
  personSourceId?: string;
  type?: string;
  /** Amount in major units, when the entry carries one. */
  amount?: number;
  currency?: string;
};

/** Reads a running simulator the way a user of that CRM would. */
export type CrmInspector = {
  people(): Promise<InspectedPerson[]>;
  companies(): Promise<InspectedCompany[]>;
  orders(): Promise<InspectedOrder[]>;
  deals(): Promise<InspectedDeal[]>;
  orderEvents(): Promise<InspectedTimelineEntry[]>;
};

export type RunningTarget = {
  baseUrl: string;
  adapter: CrmAdapter;
  inspect: CrmInspector;
  /**
   * Where the CRM lets one exist: creates a second person record carrying this
   * commercetools ID through the CRM's own API, as someone working behind the
   * integration's back would (a CRM that keeps the ID unique leaves this out).
   */
  duplicatePerson?(sourceId: string): Promise<void>;
  /** Arms a fault through the simulator's `POST /__sim/faults`. */
  armFault(spec: Partial<FaultSpec>): Promise<void>;
  close(): Promise<void>;
};

/** Values the CRM holds for one synced person in an admin's own fields, read through the CRM's own API. */
export type MappedValues = { signupChannel?: string | null; loyaltyTier?: string | null; emailOptIn?: boolean };

/**
 * Where this CRM keeps fields an admin adds (a signup channel, a loyalty tier,
 * an email consent flag), as mapping targets, and how to read them back: the
 * sync model's field mappings, owners and consent are proven through them.
 */
export type MappedFieldProfile = {
  /** Mappings of `custom.signupChannel` (owner first-write) and `custom.loyaltyTier` (lookup gold → "Gold customer"), and the consent flag if it is a field. */
  personFields: z.input<typeof fieldMappingSchema>[];
  consent: MappingConfigInput["consent"];
  read(sourceId: string): Promise<MappedValues>;
};

/** The two owned fields every profile maps, onto this CRM's targets. */
export const ownedFields = (signup: string, tier: string): MappedFieldProfile["personFields"] => [
  { source: "custom.signupChannel", target: signup, owner: "first-write" },
  { source: "custom.loyaltyTier", target: tier, transform: [{ type: "lookup", table: { gold: "Gold customer" } }] },
];

/** One CRM = an adapter and its simulator. Adding a CRM means adding one of these. */
export type ConformanceTarget = {
  name: CrmName;
  /** Starts an empty simulator on a free 127.0.0.1 port and an adapter pointed at it. */
  start(): Promise<RunningTarget>;
  /** A person this CRM refuses, and a fragment of the CRM's own message for it. */
  invalidPerson(base: Person): { person: Person; messageIncludes: string };
  /** The CRM keeps one contact per email address (a second person with it is refused as ambiguous). */
  oneContactPerEmail?: boolean;
  /** The admin's own fields in this CRM (the sync-model suite runs where this is given). */
  mappedFields?(crm: RunningTarget): Promise<MappedFieldProfile>;
};

export const testContext = (name: string): CallContext => ({ correlationId: `conformance-${name}` });
