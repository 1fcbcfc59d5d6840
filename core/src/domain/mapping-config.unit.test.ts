import { describe, expect, it } from "vitest";
import { defaultMappingConfig, mappingConfigSchema, validateMappingConfig } from "./mapping-config";

describe("mapping configuration", () => {
  it("has a valid default per CRM", () => {
    for (const crm of ["salesforce", "close", "freshsales", "dynamics", "crmone"] as const) {
      const config = defaultMappingConfig(crm);
      expect(validateMappingConfig(config)).toMatchObject({ valid: true });
      expect(config.matching.rules).toEqual(["link", "externalId", "email"]);
    }
    expect(defaultMappingConfig("salesforce").consent.email).toEqual({ target: "HasOptedOutOfEmail", invert: true });
  });

  it("accepts custom fields on both sides, with transforms and owners", () => {
    const result = validateMappingConfig({
      schemaVersion: 1,
      crm: "salesforce",
      entities: {
        person: {
          fields: [
            { source: "custom.loyaltyTier", target: "Loyalty_Tier__c", transform: [{ type: "lookup", table: { gold: "Gold" } }], owner: "commercetools" },
            { source: "lifetimeValue", target: "LTV__c", transform: [{ type: "money", unit: "major" }] },
            { source: "firstName", target: "Nickname__c", owner: "first-write" },
          ],
        },
        company: { fields: [] },
        order: { fields: [] },
      },
    });
    expect(result.valid).toBe(true);
    if (result.valid) expect(result.config.entities.person.fields[1]!.owner).toBe("commercetools");
  });

  it("refuses invalid configuration with a message naming the path", () => {
    const result = validateMappingConfig({
      schemaVersion: 1,
      crm: "close",
      entities: {
        person: { fields: [{ source: "email", target: "Email" }, { source: "custom.tier", target: "custom.cf_tier", owner: "sales" }] },
        company: { fields: [] },
        order: { fields: [{ source: "total", target: "custom.cf_total", transform: [{ type: "money", unit: "pennies" }] }] },
      },
      segmentation: { rules: [{ name: "eu", when: { currency: ["euro"] } }] },
    });
    expect(result.valid).toBe(false);
    const paths = result.issues.map((i) => i.path.join("."));
    expect(paths).toContain("entities.person.fields.1.owner");
    expect(paths).toContain("entities.order.fields.0.transform.0.unit");
    expect(paths).toContain("segmentation.rules.0.when.currency.0");
    // Refinements run once the shape parses: the Close target rule names the field.
    const targets = validateMappingConfig({
      schemaVersion: 1,
      crm: "close",
      entities: { person: { fields: [{ source: "email", target: "Email" }] }, company: { fields: [] }, order: { fields: [] } },
    });
    expect(targets.issues).toEqual([
      { path: ["entities", "person", "fields", 0, "target"], message: expect.stringContaining("Close custom field key") },
    ]);
  });

  it("refuses unknown top-level keys and a target mapped twice", () => {
    expect(validateMappingConfig({ ...defaultMappingConfig("salesforce"), extraKey: 1 }).issues[0]!.message).toMatch(/extraKey/);
    const twice = mappingConfigSchema.safeParse({
      schemaVersion: 1,
      crm: "salesforce",
      entities: { person: { fields: [{ source: "email", target: "A__c" }, { source: "phone", target: "A__c" }] }, company: { fields: [] }, order: { fields: [] } },
    });
    expect(twice.success).toBe(false);
    expect(twice.error!.issues[0]!.path).toEqual(["entities", "person", "fields", 1, "target"]);
  });
});
