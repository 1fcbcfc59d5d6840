import { describe, expect, it } from "vitest";
import { type InboundRequest, MalformedDelivery } from "../../../ports/crm-inbound";
import { contractInstant, dataverseWebhooks } from "./webhook";

const orgUrl = "https://contoso.crm4.dynamics.com";
const appUser = "a0c0ffee-0000-4000-8000-000000000001";
const contactId = "5BB5043F-BC7A-4019-AE12-04473B4F9FF1";
const webhooks = dataverseWebhooks({ key: "s3cret-key", orgUrl, applicationUserId: appUser });

function context(overrides: Record<string, unknown> = {}) {
  return {
    BusinessUnitId: "0c0ffee0-0000-4000-8000-00000000b001",
    CorrelationId: "9e1c8d54-7b2a-4d0e-9a51-3f1f7c0b2a11",
    Depth: 1,
    InitiatingUserId: "a0c0ffee-0000-4000-8000-000000000002",
    UserId: "a0c0ffee-0000-4000-8000-000000000002",
    InputParameters: [
      {
        key: "Target",
        value: {
          __type: "Entity:http://schemas.microsoft.com/xrm/2011/Contracts",
          Attributes: [
            { key: "ct_followup", value: true },
            { key: "modifiedon", value: "/Date(1795168800000)/" },
          ],
          Id: contactId,
          LogicalName: "contact",
        },
      },
    ],
    MessageName: "Update",
    Mode: 1,
    OperationCreatedOn: "/Date(1795168800123)/",
    OrganizationId: "0c0ffee0-0000-4000-8000-00000000a001",
    PostEntityImages: [],
    PreEntityImages: [],
    PrimaryEntityId: contactId,
    PrimaryEntityName: "contact",
    Stage: 40,
    ...overrides,
  };
}

const request = (body: unknown, headers: Record<string, string> = {}, query: Record<string, string> = { code: "s3cret-key" }): InboundRequest => ({
  headers: { "content-type": "application/json", "x-ms-dynamics-organization": "contoso.crm4.dynamics.com", ...headers },
  query,
  rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  receivedAt: new Date(),
});

describe("Dynamics 365 webhooks: verification", () => {
  it("accepts the configured key as ?code= (WebhookKey) or as our secret header (HttpHeader)", () => {
    expect(webhooks.verify(request(context()))).toBeUndefined();
    expect(webhooks.verify(request(context(), { "x-ct-crm-sync-secret": "s3cret-key" }, {}))).toBeUndefined();
  });

  it("refuses a wrong or missing key, another organization, and everything when no key is configured", () => {
    expect(webhooks.verify(request(context(), {}, { code: "s3cret-kez" }))).toMatchObject({ status: 401 });
    expect(webhooks.verify(request(context(), {}, {}))).toMatchObject({ status: 401 });
    expect(webhooks.verify(request(context(), { "x-ms-dynamics-organization": "fabrikam.crm.dynamics.com" }))).toMatchObject({ status: 401, reason: expect.stringContaining("organization") });
    expect(webhooks.verify(request(context(), { "x-ms-dynamics-organization": "" }))).toMatchObject({ status: 401 });
    expect(dataverseWebhooks({ orgUrl }).verify(request(context()))).toMatchObject({ status: 401, reason: expect.stringContaining("no webhook key") });
  });
});

describe("Dynamics 365 webhooks: parsing", () => {
  it("takes a contact update apart: which record, when it changed, and a delivery ID a redelivery repeats", () => {
    const { changes } = webhooks.parse(request(context()));
    expect(changes).toEqual([
      {
        entity: "person",
        crmId: contactId.toLowerCase(),
        action: "updated",
        modifiedAt: "2026-11-20T10:00:00.000Z",
        deliveryId: `9e1c8d54-7b2a-4d0e-9a51-3f1f7c0b2a11:2026-11-20T10:00:00.123Z:contact:${contactId.toLowerCase()}`,
      },
    ]);
    expect(webhooks.parse(request(context())).changes[0]!.deliveryId).toBe(changes[0]!.deliveryId);
  });

  it("maps creates and deletes of contacts, accounts and opportunities; other messages are updates", () => {
    const of = (PrimaryEntityName: string, MessageName: string) => webhooks.parse(request(context({ PrimaryEntityName, MessageName }))).changes[0];
    expect(of("account", "Create")).toMatchObject({ entity: "company", action: "created" });
    expect(of("opportunity", "Delete")).toMatchObject({ entity: "deal", action: "deleted" });
    expect(of("opportunity", "Win")).toMatchObject({ entity: "deal", action: "updated" });
  });

  it("changes nothing for other tables, for writes set off by other writes (Depth > 1), and for our own application user's writes", () => {
    expect(webhooks.parse(request(context({ PrimaryEntityName: "task" }))).changes).toEqual([]);
    expect(webhooks.parse(request(context({ Depth: 2 }))).changes).toEqual([]);
    expect(webhooks.parse(request(context({ InitiatingUserId: appUser.toUpperCase() }))).changes).toEqual([]);
  });

  it("reads an oversized delivery (no parameters, no images) as a change without its modification time, to be read back", () => {
    const trimmed = context({ InputParameters: [], PostEntityImages: [], PreEntityImages: [] });
    const [change] = webhooks.parse(request(trimmed, { "x-ms-dynamics-msg-size-exceeded": "true" })).changes;
    expect(change).toMatchObject({ entity: "person", crmId: contactId.toLowerCase() });
    expect(change).not.toHaveProperty("modifiedAt");
  });

  it("throws MalformedDelivery for a body that is not JSON or not an execution context", () => {
    expect(() => webhooks.parse(request("{not json"))).toThrow(MalformedDelivery);
    expect(() => webhooks.parse(request({ MessageName: "Update" }))).toThrow(/unexpected shape at PrimaryEntityName/);
    expect(() => webhooks.parse(request(context({ PrimaryEntityId: "1; DROP" })))).toThrow(MalformedDelivery);
    expect(() => webhooks.parse(request(context({ OperationCreatedOn: "yesterday" })))).toThrow(/OperationCreatedOn/);
  });

  it("reads DataContract dates with and without an offset, and ISO dates", () => {
    expect(contractInstant("/Date(1795168800000)/")).toBe("2026-11-20T10:00:00.000Z");
    expect(contractInstant("/Date(1795168800000+0100)/")).toBe("2026-11-20T10:00:00.000Z");
    expect(contractInstant("2026-11-20T10:00:00Z")).toBe("2026-11-20T10:00:00.000Z");
    expect(contractInstant(42)).toBeUndefined();
  });
});
