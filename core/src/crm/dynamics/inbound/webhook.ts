import { z } from "zod";
import { type CrmChange, type CrmEntity, type CrmInbound, type InboundRequest, MalformedDelivery, type Refusal } from "../../../ports/crm-inbound";
import { readJsonDelivery } from "../../kit/json-delivery";
import { sameSecret, sharedSecretHeader } from "../../kit/shared-secret";
import { guidPattern } from "../odata";

export type WebhookSettings = {
  /** The key the admin registered the service endpoint with (WebhookKey → `?code=`, or HttpHeader → our secret header). */
  key?: string | undefined;
  /** The org URL: deliveries name their organisation's host in `x-ms-dynamics-organization`. */
  orgUrl: string;
  /** The application user our writes are made as: deliveries of its changes are our own writes coming back. */
  applicationUserId?: string | undefined;
};

/** Dataverse trims a context above 256 KB (and says so in a header); anything much larger is not from it. */
const maxBodyBytes = 1024 * 1024;

/** The tables whose changes mean something here, by canonical entity. */
export const entityByTable: Record<string, CrmEntity> = { contact: "person", account: "company", opportunity: "deal" };

const actionByMessage: Record<string, CrmChange["action"]> = { Create: "created", Update: "updated", Delete: "deleted" };

const attribute = z.object({ key: z.string(), value: z.unknown() });
const entityImage = z.looseObject({ Attributes: z.array(attribute).optional() });
const parameter = z.object({ key: z.string(), value: z.unknown() });

/** The part of a `RemoteExecutionContext` this reads; Dataverse sends much more. */
const contextSchema = z.looseObject({
  MessageName: z.string().min(1),
  PrimaryEntityName: z.string().min(1),
  PrimaryEntityId: z.string().regex(guidPattern),
  CorrelationId: z.string().min(1),
  OperationCreatedOn: z.string().min(1),
  Depth: z.number().int().min(1),
  UserId: z.string().optional(),
  InitiatingUserId: z.string().optional(),
  InputParameters: z.array(parameter).optional(),
  PostEntityImages: z.array(z.object({ key: z.string(), value: entityImage })).optional(),
});
type ExecutionContext = z.infer<typeof contextSchema>;

/** DataContract JSON dates (`/Date(1700000000000)/`, maybe with an offset) or ISO 8601, as an ISO instant. */
export function contractInstant(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const wcf = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  const time = wcf ? Number(wcf[1]) : Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** The record's modification time, from the post-image or the target when the step sent either (a trimmed context has neither). */
function modifiedOn(context: ExecutionContext): string | undefined {
  const target = context.InputParameters?.find((p) => p.key === "Target")?.value;
  const images = [...(context.PostEntityImages ?? []).map((i) => i.value), entityImage.safeParse(target).data];
  for (const image of images) {
    const stamp = contractInstant(image?.Attributes?.find((a) => a.key === "modifiedon")?.value);
    if (stamp) return stamp;
  }
  return undefined;
}

const sameId = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Dataverse webhooks (a service-endpoint step, asynchronous, post-operation):
 * authentic when they carry the configured key (as `?code=` or our secret
 * header) and name our organisation. A delivery says which record changed;
 * the record is read back, never taken from the context's images.
 */
export function dataverseWebhooks(settings: WebhookSettings): Pick<CrmInbound, "maxBodyBytes" | "verify" | "parse"> {
  const orgHost = new URL(settings.orgUrl).host.toLowerCase();
  return {
    maxBodyBytes,

    verify(request: InboundRequest): Refusal | undefined {
      if (!settings.key) return { status: 401, reason: "no webhook key is configured for Dynamics 365" };
      const given = request.query.code ?? request.headers[sharedSecretHeader];
      if (!given || !sameSecret(given, settings.key)) return { status: 401, reason: "the webhook key is missing or wrong" };
      const organization = request.headers["x-ms-dynamics-organization"]?.toLowerCase();
      if (organization !== orgHost) return { status: 401, reason: "the delivery names another Dataverse organization, or none" };
      return undefined;
    },

    parse(request: InboundRequest) {
      const context = readJsonDelivery(request, contextSchema, "Dataverse webhook");
      const entity = entityByTable[context.PrimaryEntityName];
      // Other tables: nothing of ours changed. Depth above 1: a plug-in's or flow's write set off by another change, which arrives itself.
      if (!entity || context.Depth > 1) return { changes: [] };
      // Our own writes, coming back: the outbound side put them there.
      if (sameId(context.InitiatingUserId ?? context.UserId, settings.applicationUserId)) return { changes: [] };
      const createdOn = contractInstant(context.OperationCreatedOn);
      if (!createdOn) throw new MalformedDelivery("Dataverse webhook has an unreadable OperationCreatedOn");
      const modifiedAt = modifiedOn(context);
      const change: CrmChange = {
        entity,
        crmId: context.PrimaryEntityId.toLowerCase(),
        // Messages other than these (Assign, SetState, Win) changed the record too.
        action: actionByMessage[context.MessageName] ?? "updated",
        // A redelivery repeats the correlation ID and operation time; a change set's several records share them.
        deliveryId: `${context.CorrelationId}:${createdOn}:${context.PrimaryEntityName}:${context.PrimaryEntityId.toLowerCase()}`,
      };
      return { changes: [modifiedAt ? { ...change, modifiedAt } : change] };
    },
  };
}
