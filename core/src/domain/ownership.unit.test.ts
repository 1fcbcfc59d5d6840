import { describe, expect, it } from "vitest";
import { decideInbound, decideOutbound } from "./ownership";

describe("field ownership, commercetools → CRM", () => {
  it("commercetools-owned: writes and restores its value over a CRM edit, logging the decision", () => {
    const out = decideOutbound({
      values: [{ field: "Tier__c", owner: "commercetools", value: "Gold" }],
      lastWritten: { Tier__c: "Gold" },
      crmCurrent: { Tier__c: "Platinum" },
    });
    expect(out.write).toEqual({ Tier__c: "Gold" });
    expect(out.decisions).toEqual([{ field: "Tier__c", old: "Platinum", new: "Gold", winner: "commercetools", why: expect.stringContaining("CRM edit overwritten") }]);
  });

  it("CRM-owned: a commercetools change is not propagated", () => {
    const out = decideOutbound({ values: [{ field: "Rating__c", owner: "crm", value: "Cold" }], lastWritten: {}, crmCurrent: { Rating__c: "Hot" } });
    expect(out.write).toEqual({});
    expect(out.decisions[0]).toMatchObject({ field: "Rating__c", winner: "crm", old: "Hot", new: "Cold" });
  });

  it("first-write: set when creating or when the CRM field is empty, never overwritten", () => {
    const value = [{ field: "Source__c", owner: "first-write" as const, value: "webshop" }];
    expect(decideOutbound({ values: value }).write).toEqual({ Source__c: "webshop" });
    expect(decideOutbound({ values: value, lastWritten: { Source__c: "webshop" } }).write).toEqual({});
    expect(decideOutbound({ values: value, lastWritten: {}, crmCurrent: { Source__c: "" } }).write).toEqual({ Source__c: "webshop" });
    const kept = decideOutbound({ values: value, lastWritten: {}, crmCurrent: { Source__c: "trade fair" } });
    expect(kept.write).toEqual({});
    expect(kept.decisions[0]).toMatchObject({ winner: "crm", why: expect.stringContaining("never overwritten") });
  });
});

describe("field ownership, CRM → commercetools", () => {
  it("drops echoes of our own writes and applies only CRM-owned changes", () => {
    const out = decideInbound({
      incoming: { Tier__c: "Gold", Rating__c: "Hot", Email: "x@example.com" },
      owners: { Tier__c: "commercetools", Rating__c: "crm", Email: "commercetools" },
      lastKnown: { Tier__c: "Gold", Email: "jane@example.com" },
      current: { Tier__c: "Gold", Rating__c: "Cold", Email: "jane@example.com" },
    });
    expect(out.echoes).toEqual(["Tier__c"]);
    expect(out.apply).toEqual({ Rating__c: "Hot" });
    expect(out.decisions.find((d) => d.field === "Email")).toMatchObject({ winner: "commercetools", why: expect.stringContaining("next sync restores") });
  });
});
