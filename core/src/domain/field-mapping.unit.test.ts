import { describe, expect, it } from "vitest";
import { mapFields } from "./field-mapping";
import { fieldMappingSchema } from "./mapping-config";

const m = (input: unknown) => fieldMappingSchema.parse(input);
const locale = { preferred: "de-DE", fallbacks: ["en"] };

describe("field mapping", () => {
  const record = {
    kind: "person",
    email: "Jane.Doe@Example.com ",
    firstName: "Jane",
    lastName: "Doe",
    roles: ["buyer", "admin"],
    lifetimeValue: { centAmount: 12345, currencyCode: "EUR", fractionDigits: 2 },
    lastPurchaseAt: "2026-11-20T10:15:00.000Z",
    address: { country: "de" },
    custom: { loyaltyTier: "gold", favourite: { en: "Espresso", "de-DE": "Espresso (DE)" }, mobile: "030 1234567", missing: undefined },
  };

  it("applies normalise, format, lookup, locale, money, date and join transforms", () => {
    const fields = mapFields(
      record,
      [
        m({ source: "email", target: "Email__c", transform: [{ type: "normalise", as: "email" }] }),
        m({ source: "address.country", target: "Country__c", transform: [{ type: "normalise", as: "country" }] }),
        m({ source: "custom.mobile", target: "MobilePhone", transform: [{ type: "normalise", as: "phone" }] }),
        m({ source: "firstName", target: "Display__c", transform: [{ type: "format", template: "{lastName}, {firstName}" }] }),
        m({ source: "custom.loyaltyTier", target: "Tier__c", transform: [{ type: "lookup", table: { gold: "Gold", silver: "Silver" }, default: "None" }] }),
        m({ source: "custom.favourite", target: "Favourite__c", transform: [{ type: "locale" }] }),
        m({ source: "lifetimeValue", target: "LTV__c", transform: [{ type: "money", unit: "major" }] }),
        m({ source: "lifetimeValue", target: "custom.cf_ltv", transform: [{ type: "money", unit: "hundredths" }] }),
        m({ source: "lastPurchaseAt", target: "Last__c", transform: [{ type: "date", as: "date" }] }),
        m({ source: "roles", target: "Roles__c", transform: [{ type: "join" }] }),
        m({ source: "custom.missing", target: "Absent__c" }),
      ],
      { locale, country: "DE" },
    );
    expect(fields).toEqual({
      Email__c: "jane.doe@example.com",
      Country__c: "DE",
      MobilePhone: "+49301234567",
      Display__c: "Doe, Jane",
      Tier__c: "Gold",
      Favourite__c: "Espresso (DE)",
      LTV__c: 123.45,
      "custom.cf_ltv": 12345,
      Last__c: "2026-11-20",
      Roles__c: "buyer;admin",
    });
  });

  it("falls back to the configured locales, and a transform's own locale comes first", () => {
    const fields = mapFields(
      { custom: { name: { en: "Cup", fr: "Tasse" } } },
      [m({ source: "custom.name", target: "A__c", transform: [{ type: "locale" }] }), m({ source: "custom.name", target: "B__c", transform: [{ type: "locale", locale: "fr-FR" }] })],
      { locale },
    );
    expect(fields).toEqual({ A__c: "Cup", B__c: "Tasse" });
  });
});
