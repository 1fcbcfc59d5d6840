import { describe, expect, it } from "vitest";
import type { OrderActivity, Person } from "./model";
import { isBcp47, validateRecord } from "./validation";

const person = (over: Partial<Person>): Person => ({ kind: "person", sourceId: "c1", sourceVersion: 1, ...over });

describe("validation before writing", () => {
  it("passes a clean record", () => {
    expect(validateRecord(person({ email: "jane@example.com", phone: "+49301234567", locale: "de-DE", address: { country: "DE" } }), ["email"])).toEqual({});
  });

  it("names every field that fails with a readable reason", () => {
    const problems = validateRecord(
      person({ email: "not-an-email", phone: "030 1234567", locale: "de_DE!", address: { country: "Germany" }, lifetimeValue: { centAmount: 1, currencyCode: "euro", fractionDigits: 2 } }),
      ["email", "lastName"],
    );
    expect(problems).toEqual({
      email: "not a valid email address",
      phone: expect.stringContaining("E.164"),
      locale: "not a BCP 47 language tag",
      "address.country": "not an ISO 3166-1 alpha-2 country code",
      "lifetimeValue.currencyCode": "not an ISO 4217 currency code",
      lastName: expect.stringContaining("required"),
    });
  });

  it("checks orders' currency", () => {
    const order = { kind: "order", sourceId: "o1", sourceVersion: 1, activityKey: "k", total: { centAmount: 100, currencyCode: "EU", fractionDigits: 2 }, orderState: "Open", createdAt: "2026-11-01T00:00:00Z", lines: [], lineSummary: "" } as OrderActivity;
    expect(validateRecord(order)).toEqual({ "total.currencyCode": "not an ISO 4217 currency code" });
  });

  it("knows BCP 47 tags", () => {
    expect(isBcp47("en")).toBe(true);
    expect(isBcp47("zh-Hant-TW")).toBe(true);
    expect(isBcp47("en_US")).toBe(false);
  });
});
