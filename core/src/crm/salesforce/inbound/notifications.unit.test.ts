import { describe, expect, it } from "vitest";
import { XMLParser } from "fast-xml-parser";
import { MemoryLogger } from "../../../logging/logger";
import { systemClock } from "../../../ports/clock";
import { type InboundRequest, MalformedDelivery } from "../../../ports/crm-inbound";
import { connector } from "../connector";
import { outboundMessages } from "./notifications";

// One org in its two forms: 15 characters (case-sensitive) and 18 (with the checksum suffix).
const org15 = "00D5g000004SbRt";
const org18 = "00D5g000004SbRtEAK";
/** The same characters but one in another case: another org. */
const otherOrg18 = "00D5g000004SbRTEA0";
const secret = "s3cret-from-setup";

type Notification = { id: string; type: string; recordId: string; fields?: Record<string, string> };

/** A SOAP 1.1 Outbound Message as the documented shape describes it (written for these tests). */
function outboundMessage(notifications: Notification[], organizationId = org18): string {
  const items = notifications.map(
    (n) =>
      `<Notification><Id>${n.id}</Id><sObject xsi:type="sf:${n.type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>${n.recordId}</sf:Id>` +
      Object.entries(n.fields ?? {})
        .map(([name, value]) => `<sf:${name}>${value}</sf:${name}>`)
        .join("") +
      "</sObject></Notification>",
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">' +
    `<OrganizationId>${organizationId}</OrganizationId><ActionId>04k5g000000TestAAA</ActionId><SessionId xsi:nil="true"/>` +
    `<EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/62.0/${organizationId.slice(0, 15)}</EnterpriseUrl>` +
    `<PartnerUrl>https://example.my.salesforce.com/services/Soap/u/62.0/${organizationId.slice(0, 15)}</PartnerUrl>` +
    `${items.join("")}</notifications></soapenv:Body></soapenv:Envelope>`
  );
}

const contact = (i: number): Notification => ({
  id: `04l5g00000N${String(i).padStart(4, "0")}AAA`,
  type: "Contact",
  recordId: `0035g00000C${String(i).padStart(4, "0")}AAA`,
  fields: { Email: `person${i}@example.com`, SystemModstamp: "2026-11-20T10:00:00.000Z" },
});

const request = (body: string, options: { query?: Record<string, string>; headers?: Record<string, string> } = {}): InboundRequest => ({
  headers: { "content-type": "text/xml; charset=utf-8", ...options.headers },
  query: options.query ?? {},
  rawBody: Buffer.from(body, "utf8"),
  receivedAt: new Date("2026-11-20T10:00:01.000Z"),
});

const inbound = outboundMessages({ secret, organizationId: org18 });

describe("Salesforce Outbound Messages: verification", () => {
  const body = outboundMessage([contact(1)]);

  it("accepts our org's message carrying the secret in the endpoint URL or in the header", () => {
    expect(inbound.verify(request(body, { query: { secret } }))).toBeUndefined();
    expect(inbound.verify(request(body, { headers: { "x-ct-crm-sync-secret": secret } }))).toBeUndefined();
  });

  it("refuses a missing or wrong secret, and every message when no secret is configured", () => {
    expect(inbound.verify(request(body))).toMatchObject({ status: 401 });
    expect(inbound.verify(request(body, { query: { secret: `${secret}x` } }))).toMatchObject({ status: 401 });
    expect(inbound.verify(request(body, { query: { secret: "" } }))).toMatchObject({ status: 401 });
    expect(outboundMessages({ organizationId: org18 }).verify(request(body, { query: { secret } }))).toMatchObject({ status: 401 });
  });

  it("refuses another org's message, and never names the secret", () => {
    const refusal = inbound.verify(request(outboundMessage([contact(1)], otherOrg18), { query: { secret } }));
    expect(refusal).toMatchObject({ status: 401 });
    expect(refusal?.reason).not.toContain(secret);
  });

  it("takes the 15- and 18-character forms of one org ID as the same org, whichever is configured", () => {
    expect(inbound.verify(request(outboundMessage([contact(1)], org15), { query: { secret } }))).toBeUndefined();
    const configured15 = outboundMessages({ secret, organizationId: org15 });
    expect(configured15.verify(request(body, { query: { secret } }))).toBeUndefined();
    expect(configured15.verify(request(outboundMessage([contact(1)], otherOrg18), { query: { secret } }))).toMatchObject({ status: 401 });
  });

  it("accepts any org's message when no org is configured", () => {
    expect(outboundMessages({ secret }).verify(request(outboundMessage([contact(1)], otherOrg18), { query: { secret } }))).toBeUndefined();
  });

  it("takes secret and org from the connector's settings", () => {
    const settings = {
      SALESFORCE_LOGIN_URL: "http://127.0.0.1:1",
      SALESFORCE_CLIENT_ID: "id",
      SALESFORCE_CLIENT_SECRET: "client-secret",
      SALESFORCE_OUTBOUND_SECRET: secret,
      SALESFORCE_ORGANIZATION_ID: org18,
    };
    const { inbound: fromConnector } = connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock });
    expect(fromConnector.verify(request(body, { query: { secret } }))).toBeUndefined();
    expect(fromConnector.verify(request(outboundMessage([contact(1)], otherOrg18), { query: { secret } }))).toMatchObject({ status: 401 });
    expect(fromConnector.maxBodyBytes).toBeGreaterThanOrEqual(Buffer.byteLength(outboundMessage(Array.from({ length: 100 }, (_, i) => contact(i)))) * 4);
  });
});

describe("Salesforce Outbound Messages: parsing", () => {
  it("turns one notification into one change, dated by SystemModstamp", () => {
    const { changes } = inbound.parse(request(outboundMessage([contact(7)])));
    expect(changes).toEqual([
      { entity: "person", crmId: "0035g00000C0007AAA", action: "updated", modifiedAt: "2026-11-20T10:00:00.000Z", deliveryId: "04l5g00000N0007AAA" },
    ]);
  });

  it("turns 100 notifications, Salesforce's most, into 100 changes in order", () => {
    const { changes } = inbound.parse(request(outboundMessage(Array.from({ length: 100 }, (_, i) => contact(i)))));
    expect(changes).toHaveLength(100);
    expect(changes.map((c) => c.deliveryId)).toEqual(Array.from({ length: 100 }, (_, i) => contact(i).id));
  });

  it("knows Accounts as companies and Opportunities as deals, dated by LastModifiedDate when there is no SystemModstamp", () => {
    const account = { id: "04l5g00000NAcc1AAA", type: "Account", recordId: "0015g00000A0001AAA", fields: { LastModifiedDate: "2026-11-21T08:30:00.000Z" } };
    const deal = { id: "04l5g00000NOpp1AAA", type: "Opportunity", recordId: "0065g00000O0001AAA" };
    expect(inbound.parse(request(outboundMessage([account]))).changes[0]).toMatchObject({ entity: "company", modifiedAt: "2026-11-21T08:30:00.000Z" });
    const [dealChange] = inbound.parse(request(outboundMessage([deal]))).changes;
    expect(dealChange).toMatchObject({ entity: "deal", crmId: "0065g00000O0001AAA" });
    expect(dealChange).not.toHaveProperty("modifiedAt");
  });

  it("acknowledges with the SOAP notificationsResponse Salesforce waits for", () => {
    const { acknowledgement } = inbound.parse(request(outboundMessage([contact(1)])));
    expect(acknowledgement?.contentType).toBe("text/xml");
    const answer = new XMLParser({ removeNSPrefix: true, parseTagValue: false }).parse(acknowledgement!.body, true);
    expect(answer.Envelope.Body.notificationsResponse.Ack).toBe("true");
  });

  it("throws MalformedDelivery for malformed XML, a body that is no notifications envelope, too many notifications or an object not synced", () => {
    const malformed = [
      "<soapenv:Envelope><soapenv:Body><notifications>",
      "not xml at all",
      '<?xml version="1.0"?><Envelope><Body><somethingElse/></Body></Envelope>',
      outboundMessage([]),
      outboundMessage(Array.from({ length: 101 }, (_, i) => contact(i))),
      outboundMessage([{ id: "04l5g00000NLead1AAA", type: "Lead", recordId: "00Q5g00000L0001AAA" }]),
    ];
    for (const body of malformed) expect(() => inbound.parse(request(body)), body.slice(0, 60)).toThrow(MalformedDelivery);
  });

  it("lets an authentic but unreadable message through verification, for parse to store it for review", () => {
    expect(inbound.verify(request("<notifications>", { query: { secret } }))).toBeUndefined();
  });
});
