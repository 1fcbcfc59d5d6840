import { XMLParser } from "fast-xml-parser";
import { z } from "zod";
import { type CrmChange, type CrmInbound, type InboundRequest, MalformedDelivery } from "../../../ports/crm-inbound";
import { sharedSecretRefusal } from "../../kit/shared-secret";
import { isoInstant } from "../query";
import { entityOf } from "./records";

export type NotificationSettings = {
  /** The shared secret the admin puts in the Outbound Message's endpoint URL (`?secret=`) or we accept as a header. */
  secret?: string | undefined;
  /** The org whose messages are accepted (15 or 18 characters); any org when absent. */
  organizationId?: string | undefined;
};

/** 100 notifications (Salesforce's most in one message) with every field of a wide record fit well below this. */
const maxBodyBytes = 2 * 1024 * 1024;

const xml = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  // Values stay strings (Ids are not numbers) and entities unexpanded: we read Ids, types and timestamps only.
  parseTagValue: false,
  processEntities: false,
  isArray: (_name, path) => path === "Envelope.Body.notifications.Notification",
});

const sObject = z.object({ "@_type": z.string(), Id: z.string(), SystemModstamp: z.string().optional(), LastModifiedDate: z.string().optional() });
const notifications = z.object({ OrganizationId: z.string(), ActionId: z.string(), Notification: z.array(z.object({ Id: z.string(), sObject })).min(1).max(100) });
const envelope = z.object({ Envelope: z.object({ Body: z.object({ notifications }) }) });

const ack =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
  '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>';

/** Salesforce redelivers what it does not see acknowledged, for 24 hours: what we cannot read is acknowledged too (and kept for review). */
const acknowledgement = { contentType: "text/xml", body: ack };

/** The body's notifications envelope; MalformedDelivery when the body is not XML or not such an envelope. */
function readEnvelope(body: Buffer): z.infer<typeof notifications> {
  let parsed: unknown;
  try {
    parsed = xml.parse(body.toString("utf8"), true);
  } catch {
    throw new MalformedDelivery("Salesforce Outbound Message is not well-formed XML", acknowledgement);
  }
  const result = envelope.safeParse(parsed);
  if (!result.success) {
    const where = result.error.issues.map((i) => i.path.join(".")).join(", ");
    throw new MalformedDelivery(`Salesforce Outbound Message is not a notifications envelope (at ${where})`, acknowledgement);
  }
  return result.data.Envelope.Body.notifications;
}

/** An org's ID in its 15-character form (case-sensitive); the 18-character form adds a checksum of the same ID. */
const orgKey = (id: string) => id.slice(0, 15);

/**
 * Outbound Messages (SOAP 1.1): authentic when they carry our shared secret
 * and, when one is configured, come from our org. They carry no signature.
 */
export function outboundMessages(settings: NotificationSettings): Pick<CrmInbound, "maxBodyBytes" | "verify" | "parse"> {
  return {
    maxBodyBytes,

    verify(request: InboundRequest) {
      const refusal = sharedSecretRefusal(request, settings.secret, "Salesforce Outbound Messages");
      if (refusal) return refusal;
      if (!settings.organizationId) return undefined;
      let organizationId: string;
      try {
        organizationId = readEnvelope(request.rawBody).OrganizationId;
      } catch {
        // Authentic by its secret but unreadable: parse stores it for review.
        return undefined;
      }
      return orgKey(organizationId) === orgKey(settings.organizationId) ? undefined : { status: 401, reason: "the message comes from another Salesforce org" };
    },

    parse(request: InboundRequest) {
      const changes = readEnvelope(request.rawBody).Notification.map(({ Id, sObject }): CrmChange => {
        const type = sObject["@_type"].split(":").pop()!;
        const entity = entityOf(type);
        if (!entity) throw new MalformedDelivery(`Salesforce Outbound Message about ${type}, which is not synced`, acknowledgement);
        const modifiedAt = isoInstant(sObject.SystemModstamp ?? sObject.LastModifiedDate);
        // Outbound Messages fire on create and on update alike.
        const change: CrmChange = { entity, crmId: sObject.Id, action: "updated", deliveryId: Id };
        return modifiedAt ? { ...change, modifiedAt } : change;
      });
      return { changes, acknowledgement };
    },
  };
}
