import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { type CrmChange, type CrmEntity, type CrmInbound, type CrmSnapshot, type InboundRequest, MalformedDelivery, type Refusal } from "../../ports/crm-inbound";
import { oldestFirst } from "../kit/converge";
import type { Transport } from "../kit/transport";
import { listAll, loadedOnce, send, unlessGone } from "./connection";
import { contactFields, customKey, leadFields } from "./field-names";
import { compact, firstOf } from "./mapping";
import { customFieldSchema } from "./schemas";
import { createdAt } from "./search";

/** A delivery older or newer than this, by its signed timestamp, is refused: a replayed request is not fresh. */
const maxSkewSeconds = 5 * 60;

/**
 * Close's webhook signature: `close-sig-hash` = hex HMAC-SHA256, keyed with
 * the hex-decoded `signature_key` of the subscription, over
 * `close-sig-timestamp` (Unix seconds) followed by the raw body.
 */
function verifySignature(signatureKey: string | undefined, request: InboundRequest): Refusal | undefined {
  const refuse = (reason: string): Refusal => ({ status: 401, reason });
  if (!signatureKey) return refuse("no Close webhook signature key is configured");
  const hash = request.headers["close-sig-hash"];
  const timestamp = request.headers["close-sig-timestamp"];
  if (!hash || !/^[0-9a-fA-F]{64}$/.test(hash)) return refuse("close-sig-hash missing or malformed");
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return refuse("close-sig-timestamp missing or malformed");
  if (Math.abs(request.receivedAt.getTime() / 1000 - Number(timestamp)) > maxSkewSeconds) return refuse("close-sig-timestamp too far from now");
  const expected = createHmac("sha256", Buffer.from(signatureKey, "hex")).update(timestamp).update(request.rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, "hex"))) return refuse("close-sig-hash does not match");
  return undefined;
}

const deliverySchema = z.object({
  event: z.looseObject({
    id: z.string().min(1),
    object_type: z.string(),
    object_id: z.string().min(1),
    action: z.string(),
    date_updated: z.string().optional(),
  }),
  subscription_id: z.string().optional(),
});

/** A B2C lead holds one person's figures and a unit's lead the unit: a lead changed in Close is read as the company it may be. */
const entityOf: Record<string, CrmEntity> = { contact: "person", lead: "company", opportunity: "deal" };
const actions = ["created", "updated", "deleted"] as const;

function parseDelivery(request: InboundRequest): { changes: CrmChange[] } {
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    throw new MalformedDelivery("Close delivery is not JSON");
  }
  const parsed = deliverySchema.safeParse(body);
  if (!parsed.success) throw new MalformedDelivery(`Close delivery has an unexpected shape at ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  const { event } = parsed.data;
  const entity = entityOf[event.object_type];
  const action = actions.find((a) => a === event.action);
  // Other objects (tasks, emails, calls) and actions (merged, sent): nothing of ours changed; acknowledged as they are.
  if (!entity || !action) return { changes: [] };
  return { changes: [{ entity, crmId: event.object_id, action, deliveryId: event.id, ...(event.date_updated ? { modifiedAt: event.date_updated } : {}) }] };
}

const recordSchema = z.looseObject({ id: z.string(), date_updated: z.string() });
type CloseRecord = z.infer<typeof recordSchema>;

const paths: Record<CrmEntity, string> = { person: "/contact/", company: "/lead/", deal: "/opportunity/" };

/** Custom field IDs of a scope by name (the oldest of a name, as the adapter adopts), kept a few minutes: merchants add fields. */
function fieldCatalogue(transport: Transport, scope: "contact" | "lead") {
  return loadedOnce(async (ctx) => {
    const byName = new Map<string, string>();
    for (const f of oldestFirst(await listAll({ transport, ctx }, `/custom_field/${scope}/`, customFieldSchema), createdAt)) if (!byName.has(f.name)) byName.set(f.name, f.id);
    return byName;
  }, 5 * 60_000);
}

function splitName(name: string | undefined): Record<string, string> {
  const [firstName, ...rest] = (name ?? "").trim().split(/\s+/);
  return rest.length > 0 ? { firstName: firstName!, lastName: rest.join(" ") } : {};
}

/** Every custom value of the record under its custom field's name, not its ID. */
function customValuesByName(record: CloseRecord, byName: Map<string, string>): Record<string, unknown> {
  return Object.fromEntries([...byName].flatMap(([name, id]) => (customKey(id) in record ? [[name, record[customKey(id)]]] : [])));
}

function snapshotOf(entity: CrmEntity, record: CloseRecord, custom: Record<string, unknown>): CrmSnapshot {
  const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const base = { entity, crmId: record.id, modifiedAt: record.date_updated };
  switch (entity) {
    case "person": {
      const sourceId = str(custom[contactFields.customerId.name]);
      const name = str(record.name);
      const fields = { ...custom, ...(name ? { name, ...splitName(name) } : {}), email: firstOf(record.emails, "email"), phone: firstOf(record.phones, "phone") };
      return { ...base, ...(sourceId ? { sourceId } : {}), fields: compact(fields) };
    }
    case "company": {
      const sourceId = str(custom[leadFields.businessUnitId.name]);
      return { ...base, ...(sourceId ? { sourceId } : {}), fields: compact({ ...custom, name: str(record.name) }) };
    }
    case "deal": {
      // Close keeps opportunity values in cents.
      const cents = typeof record.value === "number" ? record.value : undefined;
      return {
        ...base,
        fields: compact({ amount: cents === undefined ? undefined : cents / 100, currency: str(record.value_currency), stage: str(record.status_label), status: str(record.status_type), leadId: str(record.lead_id), contactId: str(record.contact_id) }),
      };
    }
  }
}

/**
 * Close → us: signed webhook deliveries, and records read back by ID. (No
 * `changesSince`: polling would need the search API's date conditions, which
 * the simulator this is tested against does not offer yet.)
 */
export function closeInbound(options: { transport: Transport; signatureKey?: string | undefined }): CrmInbound {
  const catalogues = { contact: fieldCatalogue(options.transport, "contact"), lead: fieldCatalogue(options.transport, "lead") };
  return {
    // Close's delivery carries the object's data and previous data: generous, still bounded.
    maxBodyBytes: 1024 * 1024,
    verify: (request) => verifySignature(options.signatureKey, request),
    parse: parseDelivery,
    async readRecord(entity, crmId, ctx) {
      const record = await unlessGone(send({ transport: options.transport, ctx }, "GET", `${paths[entity]}${encodeURIComponent(crmId)}/`, recordSchema));
      if (!record) return undefined;
      const scope = entity === "person" ? "contact" : entity === "company" ? "lead" : undefined;
      return snapshotOf(entity, record, scope ? customValuesByName(record, await catalogues[scope](ctx)) : {});
    },
  };
}
