import { describe, expect, it } from "vitest";
import { matchIdentity, type MatchRule } from "./matching";
import { routeRecord } from "./segmentation";
import { segmentRuleSchema } from "./mapping-config";

describe("identity matching", () => {
  it("stops at the first rule that finds anybody, asking later rules nothing", async () => {
    const asked: MatchRule[] = [];
    const result = await matchIdentity(["link", "externalId", "email", "customKey"], async (rule) => {
      asked.push(rule);
      return rule === "externalId" ? [{ crmId: "003A", sourceId: "c1" }] : rule === "email" ? [{ crmId: "003B" }, { crmId: "003C" }] : [];
    });
    expect(result).toEqual({ kind: "matched", rule: "externalId", candidate: { crmId: "003A", sourceId: "c1" } });
    expect(asked).toEqual(["link", "externalId"]);
  });

  it("sends several candidates to review instead of merging", async () => {
    const result = await matchIdentity(["link", "email"], async (rule) =>
      rule === "email" ? [{ crmId: "003B", sourceId: "c2" }, { crmId: "003C", sourceId: "c3" }, { crmId: "003B", sourceId: "c2" }] : [],
    );
    expect(result).toEqual({ kind: "ambiguous", rule: "email", candidates: [{ crmId: "003B", sourceId: "c2" }, { crmId: "003C", sourceId: "c3" }] });
  });

  it("answers none when no rule finds anybody", async () => {
    expect(await matchIdentity(["link", "email"], async () => [])).toEqual({ kind: "none" });
  });
});

describe("segmentation", () => {
  const rules = [
    segmentRuleSchema.parse({ name: "us-b2b", entities: ["company", "person"], when: { store: ["boston"], customerGroup: ["b2b"] }, set: { OwnerId: "005US" } }),
    segmentRuleSchema.parse({ name: "dach", when: { country: ["DE", "AT", "CH"], locale: ["de"] }, set: { RecordTypeId: "012DACH" }, connection: "salesforce-eu" }),
    segmentRuleSchema.parse({ name: "usd-orders", entities: ["order"], when: { currency: ["USD"] }, set: { "custom.cf_pipeline": "US" } }),
  ];

  it("routes by store, customer group, country, locale and currency; the first matching rule wins", () => {
    expect(routeRecord("person", { stores: ["boston"], customerGroup: "b2b", country: "US" }, rules)).toEqual({ rule: "us-b2b", set: { OwnerId: "005US" } });
    expect(routeRecord("person", { stores: ["berlin"], country: "DE", locale: "de-DE" }, rules)).toEqual({ rule: "dach", set: { RecordTypeId: "012DACH" }, connection: "salesforce-eu" });
    expect(routeRecord("order", { currency: "USD", stores: ["boston"] }, rules)).toEqual({ rule: "usd-orders", set: { "custom.cf_pipeline": "US" } });
    expect(routeRecord("company", { currency: "USD" }, rules)).toEqual({ set: {} });
  });
});
