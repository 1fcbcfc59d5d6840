import { randomUUID } from "node:crypto";
import { z } from "zod";
import { lookupKind, type Change, type Row } from "./store";
import type { TableDef } from "./tables";

/**
 * A webhook step as the Plugin Registration Tool registers one: a service
 * endpoint (URL and how it authenticates) and a step on a message of a table,
 * asynchronous, post-operation (stage 40). Registered through the
 * simulator's `/__sim/steps` (the real set-up writes serviceendpoint and
 * sdkmessageprocessingstep rows).
 */
export const stepSchema = z.object({
  name: z.string().default("ct-crm-sync webhook"),
  url: z.url(),
  entity: z.string(),
  messages: z.array(z.enum(["Create", "Update", "Delete"])).min(1),
  /** WebhookKey: sent as `?code=`; HttpHeader: sent as headers; HttpQueryString: sent as query parameters. */
  auth: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("WebhookKey"), key: z.string().min(1) }),
      z.object({ kind: z.literal("HttpHeader"), headers: z.record(z.string(), z.string()) }),
      z.object({ kind: z.literal("HttpQueryString"), query: z.record(z.string(), z.string()) }),
    ])
    .optional(),
  /** A post-image with every column (and a pre-image on Update and Delete), as steps registered with images carry. */
  images: z.boolean().default(true),
});
export type StepSpec = z.input<typeof stepSchema>;
export type Step = z.infer<typeof stepSchema> & { id: string };

export type Delivery = { stepId: string; entity: string; message: string; recordId: string; correlationId: string; status: number; attempts: number; sizeExceeded: boolean };

export type Organization = { id: string; name: string; businessUnitId: string };

/** Above this many bytes Dataverse drops the context's parameters and images and says so in a header. */
export const maxMessageBytes = 256 * 1024;

const wcfDate = (iso: string) => `/Date(${Date.parse(iso)})/`;

/** A value in the DataContract JSON the RemoteExecutionContext uses. */
function contractValue(table: TableDef, column: string, value: unknown): unknown {
  if (typeof value === "string" && table.columns[column]?.kind === "datetime") return wcfDate(value);
  return value;
}

function entity(table: TableDef, id: string, row: Row): Record<string, unknown> {
  const attributes: { key: string; value: unknown }[] = [];
  for (const [column, value] of Object.entries(row)) {
    if (column.includes("@")) continue;
    const lookup = /^_(\w+)_value$/.exec(column);
    if (lookup) {
      const logicalName = row[lookupKind(column)] ?? "systemuser";
      attributes.push({ key: lookup[1]!, value: value === null ? null : { __type: "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts", Id: value, KeyAttributes: [], LogicalName: logicalName, Name: null, RowVersion: null } });
    } else if (column === "createdon" || column === "modifiedon") {
      attributes.push({ key: column, value: typeof value === "string" ? wcfDate(value) : value });
    } else {
      attributes.push({ key: column, value: contractValue(table, column, value) });
    }
  }
  return {
    __type: "Entity:http://schemas.microsoft.com/xrm/2011/Contracts",
    Attributes: attributes,
    EntityState: null,
    FormattedValues: [],
    Id: id,
    KeyAttributes: [],
    LogicalName: table.logicalName,
    RelatedEntities: [],
    RowVersion: typeof row.versionnumber === "number" ? String(row.versionnumber) : null,
  };
}

/** The JSON `RemoteExecutionContext` a webhook step POSTs for one committed change. */
export function executionContext(step: Step, change: Change, org: Organization, correlationId: string): Record<string, unknown> {
  const { table, id } = change;
  const target =
    change.message === "Delete"
      ? { __type: "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts", Id: id, KeyAttributes: [], LogicalName: table.logicalName, Name: null, RowVersion: null }
      : entity(table, id, { ...change.target, [table.primaryKey]: id, ...(change.post ? { modifiedon: change.post.modifiedon } : {}) });
  return {
    BusinessUnitId: org.businessUnitId,
    CorrelationId: correlationId,
    Depth: 1,
    InitiatingUserAzureActiveDirectoryObjectId: "00000000-0000-0000-0000-000000000000",
    InitiatingUserId: change.userId,
    InputParameters: [{ key: "Target", value: target }],
    IsExecutingOffline: false,
    IsInTransaction: false,
    IsOfflinePlayback: false,
    IsolationMode: 1,
    MessageName: change.message,
    Mode: 1,
    OperationCreatedOn: `/Date(${change.at.getTime()})/`,
    OperationId: randomUUID(),
    OrganizationId: org.id,
    OrganizationName: org.name,
    OutputParameters: change.message === "Create" ? [{ key: "id", value: id }] : [],
    OwningExtension: { Id: step.id, KeyAttributes: [], LogicalName: "sdkmessageprocessingstep", Name: step.name, RowVersion: null },
    ParentContext: null,
    PostEntityImages: step.images && change.post ? [{ key: "PostImage", value: entity(table, id, change.post) }] : [],
    PreEntityImages: step.images && change.pre ? [{ key: "PreImage", value: entity(table, id, change.pre) }] : [],
    PrimaryEntityId: id,
    PrimaryEntityName: table.logicalName,
    RequestId: randomUUID(),
    SecondaryEntityName: "none",
    SharedVariables: [],
    Stage: 40,
    UserAzureActiveDirectoryObjectId: "00000000-0000-0000-0000-000000000000",
    UserId: change.userId,
  };
}

/** Over the size limit: what Dataverse leaves of a context (no parameters, no images, no parent). */
function trimmed(context: Record<string, unknown>): Record<string, unknown> {
  return { ...context, InputParameters: [], PreEntityImages: [], PostEntityImages: [], ParentContext: null };
}

export type WebhookOptions = {
  /** Waits between attempts of a delivery the receiver did not take (an asynchronous step's system job retries). */
  retryDelaysMs?: number[];
  maxBytes?: number;
};

/**
 * Registered steps and the deliveries they make: each committed change on a
 * table and message with a step is POSTed to the step's URL, after the API
 * answered (asynchronous steps), retried while the receiver answers non-2xx.
 */
export class WebhookSteps {
  private readonly steps = new Map<string, Step>();
  readonly deliveries: Delivery[] = [];
  private pending = new Set<Promise<void>>();
  private readonly retryDelaysMs: number[];
  private readonly maxBytes: number;

  constructor(
    private readonly org: () => Organization & { host: string },
    options: WebhookOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? [200, 1000, 5000];
    this.maxBytes = options.maxBytes ?? maxMessageBytes;
  }

  register(spec: StepSpec): Step {
    const step = { ...stepSchema.parse(spec), id: randomUUID() };
    this.steps.set(step.id, step);
    return step;
  }

  remove(id: string): boolean {
    return this.steps.delete(id);
  }

  list(): Step[] {
    return [...this.steps.values()];
  }

  /** Called with the changes one request (or change set) committed; they share its correlation ID. */
  announce(changes: Change[]): void {
    const correlationId = randomUUID();
    for (const change of changes) {
      for (const step of this.steps.values()) {
        if (step.entity !== change.table.logicalName || !step.messages.includes(change.message)) continue;
        const delivery = this.deliver(step, change, correlationId);
        this.pending.add(delivery);
        void delivery.finally(() => this.pending.delete(delivery));
      }
    }
  }

  /** Resolves once every delivery started so far (retries included) has finished. */
  async drained(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async deliver(step: Step, change: Change, correlationId: string): Promise<void> {
    const org = this.org();
    let context = executionContext(step, change, org, correlationId);
    let body = JSON.stringify(context);
    const sizeExceeded = Buffer.byteLength(body) > this.maxBytes;
    if (sizeExceeded) {
      context = trimmed(context);
      body = JSON.stringify(context);
    }
    const url = new URL(step.url);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-ms-dynamics-organization": org.host,
      "x-ms-dynamics-entity-name": change.table.logicalName,
      "x-ms-dynamics-request-name": change.message,
      "x-ms-correlation-request-id": correlationId,
      ...(sizeExceeded ? { "x-ms-dynamics-msg-size-exceeded": "true" } : {}),
    };
    if (step.auth?.kind === "WebhookKey") url.searchParams.set("code", step.auth.key);
    if (step.auth?.kind === "HttpHeader") Object.assign(headers, step.auth.headers);
    if (step.auth?.kind === "HttpQueryString") for (const [k, v] of Object.entries(step.auth.query)) url.searchParams.set(k, v);

    const record: Delivery = { stepId: step.id, entity: change.table.logicalName, message: change.message, recordId: change.id, correlationId, status: 0, attempts: 0, sizeExceeded };
    this.deliveries.push(record);
    for (let attempt = 0; ; attempt++) {
      record.attempts = attempt + 1;
      record.status = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(60_000) }).then(
        async (response) => (await response.arrayBuffer(), response.status),
        () => 0,
      );
      const wait = this.retryDelaysMs[attempt];
      if ((record.status >= 200 && record.status < 300) || wait === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
