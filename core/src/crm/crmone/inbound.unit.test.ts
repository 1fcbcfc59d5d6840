import { describe, expect, it } from "vitest";
import { type InboundRequest, MalformedDelivery, crmSnapshotSchema } from "../../ports/crm-inbound";
import { sharedSecretHeader } from "../kit/shared-secret";
import { connector } from "./connector";
import { parseDelivery } from "./deliveries";
import { snapshotOf } from "./snapshots";

const request = (body: unknown, query: Record<string, string> = {}, headers: Record<string, string> = {}): InboundRequest => ({
  headers,
  query,
  rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  receivedAt: new Date(),
});

const inbound = (secret?: string) =>
  connector.connect(
    { CRMONE_API_URL: "https://crm.example.com/api.php", CRMONE_CLIENT_ID: "id", CRMONE_CLIENT_SECRET: "secret", ...(secret ? { CRMONE_WEBHOOK_SECRET: secret } : {}) },
    { logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } as never, clock: { now: () => new Date(), sleep: async () => undefined } },
  ).inbound;

describe("CRM One webhooks: verification", () => {
  it("accepts the shared secret in the subscription URL or the header, and refuses anything else with 401", () => {
    const hooks = inbound("hook-secret");
    expect(hooks.verify(request({}, { model: "Contact", secret: "hook-secret" }))).toBeUndefined();
    expect(hooks.verify(request({}, { model: "Contact" }, { [sharedSecretHeader]: "hook-secret" }))).toBeUndefined();
    expect(hooks.verify(request({}, { model: "Contact" }))).toMatchObject({ status: 401 });
    expect(hooks.verify(request({}, { model: "Contact", secret: "hook-secre" }))).toMatchObject({ status: 401 });
    expect(inbound().verify(request({}, { secret: "anything" }))).toEqual({ status: 401, reason: "no shared secret is configured for CRM One webhooks" });
  });
});

describe("CRM One webhooks: parsing", () => {
  it("reads which record changed and when from the delivered record, by the model in the URL", () => {
    const created = parseDelivery(request({ id: "c-1", date_entered: "2026-11-20 10:00:00", date_modified: "2026-11-20 10:00:00", last_name: "Doe" }, { model: "Contact" }));
    expect(created.changes).toEqual([{ entity: "person", crmId: "c-1", action: "created", modifiedAt: "2026-11-20T10:00:00Z", deliveryId: expect.stringMatching(/^Contact:c-1:2026-11-20T10:00:00Z:[0-9a-f]{16}$/) }]);
    const updated = parseDelivery(request({ id: "a-1", date_entered: "2026-11-20 10:00:00", date_modified: "2026-11-21 08:30:00" }, { model: "Account" }));
    expect(updated.changes[0]).toMatchObject({ entity: "company", action: "updated", modifiedAt: "2026-11-21T08:30:00Z" });
    expect(parseDelivery(request({ id: "o-1", date_modified: "2026-11-21 08:30:00" }, { model: "Opportunity" })).changes[0]?.entity).toBe("deal");
  });

  it("keys a delivery by record, time and content: a redelivery is the same change, another change in the same second is not", () => {
    const key = (body: object) => parseDelivery(request(body, { model: "Contact" })).changes[0]!.deliveryId;
    const once = { id: "c-1", date_modified: "2026-11-21 08:30:00", ct_follow_up: false };
    expect(key(once)).toBe(key({ ...once }));
    expect(key({ ...once, ct_follow_up: true })).not.toBe(key(once));
  });

  it("drops a delivery of our own write (modified by our API user): nothing the CRM did", () => {
    const body = { id: "c-1", date_modified: "2026-11-21 08:30:00", modified_user_id: "our-user" };
    expect(parseDelivery(request(body, { model: "Contact" }), "our-user").changes).toEqual([]);
    expect(parseDelivery(request({ ...body, modified_user_id: "sales-user" }, { model: "Contact" }), "our-user").changes).toHaveLength(1);
    expect(parseDelivery(request(body, { model: "Contact" })).changes).toHaveLength(1);
  });

  it("treats an unknown model, a body that is not JSON or has no ID or time as malformed", () => {
    expect(() => parseDelivery(request({ id: "x", date_modified: "2026-11-21 08:30:00" }, { model: "Task" }))).toThrow(MalformedDelivery);
    expect(() => parseDelivery(request({ id: "x", date_modified: "2026-11-21 08:30:00" }))).toThrow(/unknown model \(none\)/);
    expect(() => parseDelivery(request("not json", { model: "Contact" }))).toThrow("CRM One delivery is not JSON");
    expect(() => parseDelivery(request({ date_modified: "2026-11-21 08:30:00" }, { model: "Contact" }))).toThrow("unexpected shape at id");
    expect(() => parseDelivery(request({ id: "x", date_modified: "yesterday" }, { model: "Contact" }))).toThrow("unexpected shape at date_modified");
  });
});

describe("CRM One records read back", () => {
  const contact = {
    id: "c-1",
    date_entered: "2026-11-20 10:00:00",
    date_modified: "2026-11-21 08:30:00",
    first_name: "Jane",
    last_name: "Doe",
    email1: "jane@example.com",
    phone_mobile: null,
    phone_work: "+4930123456",
    primary_address_city: "Berlin",
    primary_address_country: "Germany",
    primary_address_countrycode: "DE",
    email_opt_out: true,
    categories: "vip, store:berlin, locale:de-DE, vip",
    ct_customer_id: "cust-1",
    ct_follow_up: true,
    primary_account_id: "acc-1",
    lead_source: "Web",
  };

  it("reads a contact as the port's person snapshot: standard fields, follow-up, segments without ours, its account", () => {
    const snapshot = crmSnapshotSchema.parse(snapshotOf("person", contact));
    expect(snapshot).toEqual({
      entity: "person",
      crmId: "c-1",
      sourceId: "cust-1",
      modifiedAt: "2026-11-21T08:30:00Z",
      crmFields: contact,
      fields: {
        firstName: "Jane",
        lastName: "Doe",
        email: "jane@example.com",
        phone: "+4930123456",
        "address.streetLine": null,
        "address.city": "Berlin",
        "address.postalCode": null,
        "address.region": null,
        "address.country": "DE",
        "emailConsent.granted": false,
      },
      followUp: true,
      segments: ["vip"],
      companyCrmId: "acc-1",
    });
    const bare = crmSnapshotSchema.parse(snapshotOf("person", { id: "c-2", date_modified: "2026-11-21 08:30:00" }));
    expect(bare).toMatchObject({ followUp: false, segments: [] });
    expect(bare).not.toHaveProperty("sourceId");
  });

  it("reads an account and an opportunity", () => {
    const account = crmSnapshotSchema.parse(snapshotOf("company", { id: "a-1", date_modified: "2026-11-21 08:30:00", name: "ACME", billing_address_countrycode: "US", ct_business_unit_id: "bu-1" }));
    expect(account).toMatchObject({ entity: "company", sourceId: "bu-1", fields: { name: "ACME", email: null, "address.country": "US" } });
    const deal = crmSnapshotSchema.parse(snapshotOf("deal", { id: "o-1", date_modified: "2026-11-21 08:30:00", name: "Big", sales_stage: "Closed Won", amount: 1234.5, currency: "USD", account_id: "a-1" }));
    expect(deal).toMatchObject({ entity: "deal", deal: { name: "Big", stage: "Closed Won", status: "won", amount: 1234.5, currency: "USD", companyCrmId: "a-1" } });
    expect(snapshotOf("deal", { id: "o-2", date_modified: "2026-11-21 08:30:00", sales_stage: "Negotiation/Review", currency: "US Dollars: $" })).toMatchObject({ deal: { status: "open" } });
    expect(snapshotOf("deal", { id: "o-2", date_modified: "2026-11-21 08:30:00" })).not.toHaveProperty("deal.currency");
  });
});
