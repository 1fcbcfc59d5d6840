import { randomBytes } from "node:crypto";
import { z } from "zod";
import { type DeliveryFaults, deliveryFaultsSchema, Outbox, type OutboxOptions } from "../shared/outbox";
import type { Row, SalesforceStore } from "./store";
import { toId18 } from "./store";

/** One Outbound Message as an admin defines it (Setup → Outbound Messages) with the workflow rule that sends it on create and edit. */
export const outboundMessageSchema = z.object({
  object: z.string().min(1),
  endpointUrl: z.url(),
  /** Fields sent with each record besides Id (Salesforce sends the ones ticked in the definition). */
  fields: z.array(z.string().min(1)).default(["SystemModstamp"]),
  /**
   * The workflow rule's criteria `OR(ISCHANGED(A), ISCHANGED(B), …)`: only
   * edits that change one of these fields send the message (ISCHANGED is
   * false when a record is created). Absent: every create and edit sends it.
   */
  whenChanged: z.array(z.string().min(1)).optional(),
});
export type OutboundMessageDefinition = z.infer<typeof outboundMessageSchema>;

/** Salesforce sends at most this many notifications in one message. */
const maxNotifications = 100;

type Notification = { id: string; object: string; row: Row };
type Message = { definition: OutboundMessageDefinition; actionId: string; notifications: Notification[] };

const escapeXml = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Salesforce's ID of the org the simulator plays (18 characters). */
export const simulatedOrganizationId = toId18("00D5g000004SimAA".slice(0, 15));

/**
 * Outbound Messages: for every record of a configured object created or
 * edited through the API, a SOAP `notifications` message to the endpoint,
 * sent asynchronously, up to 100 notifications a message, and sent again
 * (same notification IDs) until the endpoint answers `<Ack>true</Ack>`.
 */
export class OutboundMessages {
  private definitions: (OutboundMessageDefinition & { actionId: string })[] = [];
  private readonly outbox: Outbox<Message>;
  private readonly batching = new Map<string, Notification[]>();
  private faults: DeliveryFaults = deliveryFaultsSchema.parse({});
  /** Messages sent and whether each was acknowledged (tests read what went out). */
  readonly sent: { notifications: number; acknowledged: boolean; status: number }[] = [];

  constructor(
    store: SalesforceStore,
    private readonly instanceUrl: () => string,
    options: OutboxOptions = {},
  ) {
    this.outbox = new Outbox((message) => this.post(message), options);
    store.onWrite((objectName, row, before) => this.written(objectName, row, before));
  }

  define(definitions: OutboundMessageDefinition[]): void {
    this.definitions = definitions.map((d) => ({ ...d, actionId: toId18(`04k5g${randomBytes(5).toString("hex")}`.slice(0, 15)) }));
  }

  configure(faults: Partial<DeliveryFaults>): DeliveryFaults {
    this.faults = this.outbox.configure(faults);
    return this.faults;
  }

  stats() {
    return { ...this.outbox.stats };
  }

  drained(): Promise<void> {
    return this.batching.size === 0 ? this.outbox.drained() : new Promise((resolve) => setImmediate(() => void this.drained().then(resolve)));
  }

  close(): void {
    this.outbox.close();
  }

  private written(objectName: string, row: Row, before: Row | undefined): void {
    for (const definition of this.definitions) {
      if (definition.object !== objectName) continue;
      if (definition.whenChanged && !(before && definition.whenChanged.some((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(row[f] ?? null)))) continue;
      const key = definition.actionId;
      const pending = this.batching.get(key);
      const notification = { id: toId18(`04l5g${randomBytes(5).toString("hex")}`.slice(0, 15)), object: objectName, row: { ...row } };
      if (pending) {
        pending.push(notification);
        continue;
      }
      this.batching.set(key, [notification]);
      // Writes of one moment go out together, as Salesforce queues them.
      setImmediate(() => {
        const all = this.batching.get(key) ?? [];
        this.batching.delete(key);
        for (let i = 0; i < all.length; i += maxNotifications) this.outbox.enqueue({ definition, actionId: definition.actionId, notifications: all.slice(i, i + maxNotifications) });
      });
    }
  }

  private body(message: Message): string {
    const org = simulatedOrganizationId;
    const items = message.notifications.map((n) => {
      const fields = message.definition.fields
        .filter((f) => f !== "Id" && n.row[f] !== undefined && n.row[f] !== null)
        .map((f) => `<sf:${f}>${escapeXml(String(n.row[f]))}</sf:${f}>`)
        .join("");
      return `<Notification><Id>${n.id}</Id><sObject xsi:type="sf:${n.object}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>${n.row.Id}</sf:Id>${fields}</sObject></Notification>`;
    });
    return (
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">' +
      `<OrganizationId>${org}</OrganizationId><ActionId>${message.actionId}</ActionId><SessionId xsi:nil="true"/>` +
      `<EnterpriseUrl>${this.instanceUrl()}/services/Soap/c/62.0/${org.slice(0, 15)}</EnterpriseUrl>` +
      `<PartnerUrl>${this.instanceUrl()}/services/Soap/u/62.0/${org.slice(0, 15)}</PartnerUrl>` +
      `${items.join("")}</notifications></soapenv:Body></soapenv:Envelope>`
    );
  }

  private async post(message: Message): Promise<boolean> {
    const response = await fetch(message.definition.endpointUrl, {
      method: "POST",
      headers: { "content-type": "text/xml; charset=utf-8", soapaction: '""' },
      body: this.body(message),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    // Anything but a 200 carrying <Ack>true</Ack> is not an acknowledgement.
    const acknowledged = response.status === 200 && /<(\w+:)?Ack>\s*true\s*<\/(\w+:)?Ack>/.test(text);
    this.sent.push({ notifications: message.notifications.length, acknowledged, status: response.status });
    return acknowledged;
  }
}
