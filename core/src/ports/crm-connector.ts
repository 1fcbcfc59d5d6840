import type { z } from "zod";
import type { MappingConfigInput, TargetRule } from "../domain/mapping-config";
import type { CanonicalRecord } from "../domain/model";
import type { Clock } from "./clock";
import type { CrmInbound } from "./crm-inbound";
import type { CrmAdapter, CrmLimits } from "./crm-outbound";
import type { Logger } from "./logger";

/** One configuration key a connector reads (an environment variable set through connect.yaml). */
export type ConnectorSetting = {
  schema: z.ZodType;
  /** Secrets go to connect.yaml's securedConfiguration, and never into logs or messages. */
  secured?: boolean;
  /** What the merchant enters; connect.yaml carries the same words. */
  description: string;
};

/** A connection to one CRM, built from validated settings: both directions. */
export type CrmConnection = { outbound: CrmAdapter; inbound: CrmInbound };

/**
 * Everything the rest of the system knows about one CRM, declared by the
 * CRM's own folder (`core/src/crm/<name>/connector.ts`) and listed once in
 * `core/src/crm/registry.ts`. Nothing outside that folder names the CRM.
 */
export interface CrmConnector {
  /** The value of the `CRM` setting, and the folder's name. */
  readonly name: string;
  /** How people call it ("Salesforce"). */
  readonly label: string;
  /** The keys it reads; start-up validation and connect.yaml's documentation come from here. */
  readonly settings: Record<string, ConnectorSetting>;
  readonly limits: CrmLimits;
  /** What a mapping target must look like in this CRM (checked when a mapping is saved). */
  readonly targetRule: TargetRule;
  /** Version 0 of the mapping configuration: what the adapter writes by itself, plus consent and validation. */
  readonly defaultMapping: MappingConfigInput;
  /** The CRM fields a prepared record would be written as (the mapping preview); pure. */
  previewFields(record: CanonicalRecord): Record<string, unknown>;
  /** Builds the connection; `settings` were parsed with `settings` above. */
  connect(settings: Record<string, unknown>, deps: { logger: Logger; clock: Clock }): CrmConnection;
}
