import type { Type } from "@commercetools/platform-sdk";
import type { SyncErrorDetails } from "../../domain/errors";
import type { MappingConfig } from "../../domain/mapping-config";
import type { FieldDecision } from "../../domain/ownership";
import type { Clock } from "../../ports/clock";
import type { CommerceWriter, CustomFieldsResource } from "../../ports/commerce";
import type { CrmEntity, CrmInbound } from "../../ports/crm-inbound";
import type { CallContext } from "../../ports/crm-outbound";
import type { Logger } from "../../ports/logger";
import type { FailureStore } from "../../state/failure-store";
import type { LinkStore } from "../../state/link-store";
import type { SyncOutcomeKind } from "../../state/sync-log";

/** What the inbound use cases run on: the connection's inbound side, commercetools writes, the link and failure stores. */
export type InboundDeps = {
  connection: string;
  /** The connector's name: part of keys of what we create (carts, customers) and of consent sources. */
  crm: string;
  inbound: CrmInbound;
  commerce: CommerceWriter;
  links: LinkStore;
  failures: FailureStore;
  config: () => Promise<MappingConfig>;
  clock: Clock;
  logger: Logger;
};

/** One change's outcome, for the sync log: `sourceId` is the commercetools record written (or the CRM ID when there is none). */
export type InboundOutcome = {
  entity: CrmEntity;
  crmId: string;
  sourceId: string;
  outcome: SyncOutcomeKind;
  direction: "crm-to-ct";
  error?: SyncErrorDetails;
  /** Why nothing was written, for the log (never personal data). */
  detail?: string;
};

/** What an entity's apply step gets: the dependencies, the configuration it decides by, the call's context. */
export type ApplyContext = {
  deps: InboundDeps;
  config: MappingConfig;
  ctx: CallContext;
  /** Types that may carry our custom fields, read once a few minutes. */
  types(resource: CustomFieldsResource): Promise<Type[]>;
  logDecisions(entity: CrmEntity, sourceId: string, decisions: FieldDecision[]): void;
};

export const outcome = (entity: CrmEntity, crmId: string, kind: SyncOutcomeKind, extra: { sourceId?: string; detail?: string } = {}): InboundOutcome => ({
  entity,
  crmId,
  sourceId: extra.sourceId ?? crmId,
  outcome: kind,
  direction: "crm-to-ct",
  ...(extra.detail ? { detail: extra.detail } : {}),
});

/** Versioned writes are decided again on a concurrent change this many times before the change fails (and is retried later). */
export const maxDecisions = 5;
