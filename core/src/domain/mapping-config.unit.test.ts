import { describe, expect, it } from "vitest";
import { baseMappingConfig, mappingConfigSchema, type MappingTarget, validateMappingConfig } from "./mapping-config";

/** A CRM whose targets are custom-field keys, as a connector would declare it. */
const keyedCrm: MappingTarget = { crm: "keyed", targetRule: { pattern: "^custom\\.cf_[A-Za-z0-9_-]+$", message: "must be a custom field key such as custom.cf_AbC123" } };

describe("mapping configuration", () => {
  it("has a valid base every connector's default extends", () => {
    const result = validateMappingConfig(baseMappingConfig("keyed"), keyedCrm);
    expect(result).toMatchObject({ valid: true });
    if (result.valid) expect(result.config.matching.rules).toEqual(["link", "externalId", "email"]);
  });

  it("accepts custom fields on both sides, with transforms and owners", () => {
    const result = validateMappingConfig({
      schemaVersion: 1,
      crm: "keyed",
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
      crm: "keyed",
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
    // Once the shape parses, the connection's CRM decides: its target rule names the field, and another CRM's document is refused.
    const document = {
      schemaVersion: 1,
      crm: "keyed",
      entities: { person: { fields: [{ source: "email", target: "Email" }] }, company: { fields: [] }, order: { fields: [] } },
      consent: { email: { target: "custom.cf_optin", atTarget: "OptInAt" } },
    };
    expect(validateMappingConfig(document, keyedCrm).issues).toEqual([
      { path: ["entities", "person", "fields", 0, "target"], message: keyedCrm.targetRule.message },
      { path: ["consent", "email", "atTarget"], message: keyedCrm.targetRule.message },
    ]);
    expect(validateMappingConfig(document, { ...keyedCrm, crm: "other" }).issues[0]).toEqual({ path: ["crm"], message: "this connection syncs to other, not keyed" });
    // Without a CRM to check against, only the shape is checked.
    expect(validateMappingConfig(document).valid).toBe(true);
  });

  it("refuses unknown top-level keys and a target mapped twice", () => {
    expect(validateMappingConfig({ ...baseMappingConfig("keyed"), extraKey: 1 }).issues[0]!.message).toMatch(/extraKey/);
    const twice = mappingConfigSchema.safeParse({
      schemaVersion: 1,
      crm: "keyed",
      entities: { person: { fields: [{ source: "email", target: "A__c" }, { source: "phone", target: "A__c" }] }, company: { fields: [] }, order: { fields: [] } },
    });
    expect(twice.success).toBe(false);
    expect(twice.error!.issues[0]!.path).toEqual(["entities", "person", "fields", 1, "target"]);
  });
});
