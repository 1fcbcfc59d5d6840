import { describe, expect, it } from "vitest";
import {
  cartLineChanges,
  type CrmPersonFacts,
  decideCompanyChange,
  decidePersonChange,
  groupForSegments,
  isStale,
  openOpportunityNote,
  recordCrmState,
  reverseTransforms,
} from "./inbound";
import { baseMappingConfig, mappingConfigSchema, type MappingConfigInput } from "./mapping-config";
import type { Company, Person } from "./model";

const config = (change: (c: MappingConfigInput) => MappingConfigInput = (c) => c) => mappingConfigSchema.parse(change(baseMappingConfig("salesforce")));

const jane: Person = {
  kind: "person",
  sourceId: "cust-1",
  sourceVersion: 3,
  email: "jane@example.com",
  firstName: "Jane",
  lastName: "Doe",
  address: { country: "DE", city: "Berlin" },
  emailConsent: { granted: true, at: "2026-01-01T00:00:00.000Z" },
};
const { sourceVersion: _v, ...written } = jane;

const snapshot = (over: Partial<CrmPersonFacts> & { fields?: CrmPersonFacts["fields"] } = {}): CrmPersonFacts => ({
  modifiedAt: "2026-11-20T10:00:00.000Z",
  followUp: false,
  segments: [],
  crmFields: {},
  ...over,
  fields: { firstName: "Jane", lastName: "Doe", email: "jane@example.com", "address.country": "DE", "address.city": "Berlin", "emailConsent.granted": true, ...over.fields },
});

describe("inbound decisions for a contact", () => {
  it("applies the follow-up flag and segments (CRM data) and leaves everything else alone when nothing else changed", () => {
    const out = decidePersonChange({ config: config(), snapshot: snapshot({ followUp: true, segments: ["VIP", "B2B"] }), current: jane, currentGroup: undefined, written });
    expect(out.apply).toEqual({ "custom.crmFollowUp": true, "custom.crmSegments": ["B2B", "VIP"] });
  });

  it("writes nothing for an unset flag and no segments on a customer that never had them", () => {
    const out = decidePersonChange({ config: config(), snapshot: snapshot(), current: jane, currentGroup: undefined, written });
    expect(out.apply).toEqual({});
    expect(out.decisions).toEqual([]);
  });

  it("does not let a CRM edit of a commercetools-owned first name reach the customer: decided and logged", () => {
    const out = decidePersonChange({ config: config(), snapshot: snapshot({ fields: { firstName: "Janet" } }), current: jane, currentGroup: undefined, written });
    expect(out.apply).toEqual({});
    expect(out.decisions).toEqual([expect.objectContaining({ field: "firstName", winner: "commercetools", why: expect.stringContaining("next sync restores") })]);
  });

  it("applies a first name the configuration gives the CRM, and drops it as an echo once the link records it", () => {
    const owned = config((c) => ({ ...c, entities: { ...c.entities, person: { fields: [{ source: "firstName", target: "FirstName", owner: "crm" }] } } }));
    const first = decidePersonChange({ config: owned, snapshot: snapshot({ fields: { firstName: "Janet" } }), current: jane, currentGroup: undefined, written });
    expect(first.apply).toEqual({ firstName: "Janet" });
    const { written: after } = recordCrmState(written, undefined, { apply: first.apply, modifiedAt: "2026-11-20T10:00:00.000Z", at: "t", correlationId: "c" });
    // The customer took the value; the same CRM value again is no news.
    const again = decidePersonChange({ config: owned, snapshot: snapshot({ fields: { firstName: "Janet" } }), current: { ...jane, firstName: "Janet" }, currentGroup: undefined, written: after });
    expect(again.apply).toEqual({});
    expect(again.echoes).toContain("firstName");
  });

  it("treats our own write coming back as an echo even after commercetools moved on", () => {
    // We wrote Jane; commercetools is Janine now (its own write to the CRM is on its way); the CRM still says Jane.
    const out = decidePersonChange({ config: config(), snapshot: snapshot(), current: { ...jane, firstName: "Janine" }, currentGroup: undefined, written });
    expect(out.echoes).toContain("firstName");
    expect(out.decisions).toEqual([]);
  });

  it("puts the customer in the group of the first mapped segment, takes it out of a mapped group only", () => {
    const groups = { VIP: "vip", Wholesale: "wholesale" };
    expect(groupForSegments(["Wholesale", "VIP"], groups, undefined)).toBe("vip");
    expect(groupForSegments(["Newsletter"], groups, "vip")).toBeNull();
    expect(groupForSegments(["Newsletter"], groups, "staff")).toBeUndefined();
    const withGroups = config((c) => ({ ...c, inbound: { segmentGroups: groups } }));
    const out = decidePersonChange({ config: withGroups, snapshot: snapshot({ segments: ["VIP"] }), current: jane, currentGroup: undefined, written });
    expect(out.apply).toMatchObject({ customerGroup: "vip" });
  });

  it("applies the CRM's consent only where the configuration makes the CRM enforce it", () => {
    const optedOut = snapshot({ fields: { "emailConsent.granted": false } });
    expect(decidePersonChange({ config: config(), snapshot: optedOut, current: jane, currentGroup: undefined, written }).apply).toEqual({});
    const crmEnforces = config((c) => ({ ...c, consent: { email: { target: "HasOptedOutOfEmail", invert: true, owner: "crm" } } }));
    expect(decidePersonChange({ config: crmEnforces, snapshot: optedOut, current: jane, currentGroup: undefined, written }).apply).toEqual({ "emailConsent.granted": false });
  });

  it("reads CRM-owned mapped custom fields through their transforms in reverse, and says so when a transform cannot be reversed", () => {
    const mapped = config((c) => ({
      ...c,
      entities: {
        ...c.entities,
        person: {
          fields: [
            { source: "custom.interests", target: "Interests__c", owner: "crm", transform: [{ type: "join", separator: ";" }] },
            { source: "custom.tier", target: "Tier__c", owner: "crm", transform: [{ type: "lookup", table: { gold: "Gold" } }] },
            { source: "custom.note", target: "Note__c", owner: "crm", transform: [{ type: "format", template: "{firstName}" }] },
          ],
        },
      },
    }));
    const out = decidePersonChange({
      config: mapped,
      snapshot: snapshot({ crmFields: { Interests__c: "coffee;tea", Tier__c: "Gold", Note__c: "x" } }),
      current: jane,
      currentGroup: undefined,
      written,
    });
    expect(out.apply).toEqual({ "custom.interests": ["coffee", "tea"], "custom.tier": "gold" });
    expect(out.decisions).toContainEqual(expect.objectContaining({ field: "custom.note", winner: "none", why: expect.stringContaining("cannot be reversed") }));
    expect(reverseTransforms(true, [{ type: "not" }])).toEqual({ value: false });
    expect(reverseTransforms(5, [{ type: "money", unit: "major" }])).toBeUndefined();
  });

  it("normalises what it compares (email case, phone to E.164) and refuses a country commercetools would not take", () => {
    const owned = config((c) => ({
      ...c,
      entities: { ...c.entities, person: { fields: ["email", "phone", "address.country"].map((source) => ({ source, target: source, owner: "crm" as const })) } },
    }));
    const out = decidePersonChange({ config: owned, snapshot: snapshot({ fields: { email: "JANE@example.com", phone: "030 1234567", "address.country": "Germany" } }), current: jane, currentGroup: undefined, written });
    expect(out.apply).toEqual({ phone: "+49301234567" });
    expect(out.decisions).toContainEqual(expect.objectContaining({ field: "address.country", why: expect.stringContaining("ISO") }));
  });
});

describe("inbound decisions for an account", () => {
  const unit: Company = { kind: "company", sourceId: "bu-1", sourceVersion: 1, key: "acme", name: "ACME", unitType: "Company", custom: { region: "north" } };
  it("applies CRM-owned business-unit fields and never the commercetools-owned name", () => {
    const owned = config((c) => ({ ...c, entities: { ...c.entities, company: { fields: [{ source: "custom.region", target: "Region__c", owner: "crm" }] } } }));
    const out = decideCompanyChange({ config: owned, snapshot: { modifiedAt: "2026-11-20T10:00:00.000Z", fields: { name: "ACME Corp" }, crmFields: { Region__c: "south" } }, current: unit });
    expect(out.apply).toEqual({ "custom.region": "south" });
    expect(out.decisions).toContainEqual(expect.objectContaining({ field: "name", winner: "commercetools" }));
  });
});

describe("stale changes and the link's record", () => {
  const applied = { modifiedAt: "2026-11-20T10:00:00.000Z", applied: { "custom.crmFollowUp": true }, appliedAt: "t", correlationId: "c" };
  it("drops a change not newer than the one applied, and keeps one without a time", () => {
    expect(isStale("2026-11-20T09:59:59.000Z", applied)).toBe(true);
    expect(isStale("2026-11-20T10:00:00.000Z", applied)).toBe(true);
    expect(isStale("2026-11-20T10:00:01.000Z", applied)).toBe(false);
    expect(isStale(undefined, applied)).toBe(false);
    expect(isStale("2026-11-20T09:00:00.000Z", undefined)).toBe(false);
    // Microseconds count: a second change within the same millisecond is newer.
    const micro = { ...applied, modifiedAt: "2026-11-20T10:00:00.000100Z" };
    expect(isStale("2026-11-20T10:00:00.000200Z", micro)).toBe(false);
    expect(isStale("2026-11-20T10:00:00.0001Z", micro)).toBe(true);
  });

  it("records applied standard fields in written (so the outbound side finds them unchanged), CRM-only fields as applied", () => {
    const out = recordCrmState(written, applied, {
      apply: { lastName: "Doe-Smith", "address.city": "Munich", "custom.crmSegments": ["VIP"] },
      modifiedAt: "2026-11-20T11:00:00.000Z",
      at: "t2",
      correlationId: "c2",
    });
    expect(out.written).toMatchObject({ lastName: "Doe-Smith", address: { country: "DE", city: "Munich" } });
    expect(out.fromCrm).toEqual({ modifiedAt: "2026-11-20T11:00:00.000Z", applied: { "custom.crmFollowUp": true, "custom.crmSegments": ["VIP"] }, appliedAt: "t2", correlationId: "c2" });
  });
});

describe("deals", () => {
  it("turns a cart's lines into the deal's: quantities set, SKUs added and removed", () => {
    const current = [
      { lineItemId: "l1", sku: "A", quantity: 1 },
      { lineItemId: "l2", sku: "B", quantity: 2 },
    ];
    expect(cartLineChanges(current, new Map([["A", 3], ["C", 1]]))).toEqual([
      { kind: "set", lineItemId: "l1", quantity: 3 },
      { kind: "remove", lineItemId: "l2" },
      { kind: "add", sku: "C", quantity: 1 },
    ]);
    expect(cartLineChanges(current, new Map([["A", 1], ["B", 2]]))).toEqual([]);
  });

  it("notes status, value and currency", () => {
    expect(openOpportunityNote({ status: "open", stage: "Active", amount: 1234.5, currency: "EUR" })).toBe("open · 1234.50 EUR · Active");
    expect(openOpportunityNote({ status: "won", stage: "Won" })).toBe("won · no value");
  });
});
