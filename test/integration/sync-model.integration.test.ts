import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Order } from "@commercetools/platform-sdk";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import type { Person } from "@ct-crm-sync/core/domain/model";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import type { CommerceReader } from "@ct-crm-sync/core/ports/commerce";
import { inlineRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { FailureStore } from "@ct-crm-sync/core/state/failure-store";
import { LinkStore } from "@ct-crm-sync/core/state/link-store";
import { writeRecords } from "@ct-crm-sync/core/sync/record-writer";
import { SyncModel } from "@ct-crm-sync/core/sync/sync-model";
import { SyncService } from "@ct-crm-sync/core/sync/sync-service";
import { mappingConfigSchema, type MappingConfigInput } from "@ct-crm-sync/core/domain/mapping-config";
import { conformanceTargets } from "../conformance/targets";
import type { MappedFieldProfile, RunningTarget } from "../conformance/target";
import { company, person } from "../conformance/fixtures";
import { startEmulator, type Emulator } from "../emulator/emulator";
import { createCommercetoolsApi } from "@ct-crm-sync/core/commercetools/client";
import { CustomObjectStore } from "@ct-crm-sync/core/commercetools/custom-object-store";

const ctx = { correlationId: "sync-model-it" };

/**
 * The sync model through every CRM whose conformance target says where an
 * admin's custom fields live (`mappedFields`); a target without it is not
 * covered here.
 */
const withMappedFields = conformanceTargets.filter((t) => t.mappedFields);

describe.each(withMappedFields)("sync model through the $name simulator", (target) => {
  let crm: RunningTarget;
  let emulator: Emulator;
  let profile: MappedFieldProfile;
  let links: LinkStore;
  let failures: FailureStore;
  const logger = new MemoryLogger();
  const config = (input: Partial<MappingConfigInput> = {}) =>
    mappingConfigSchema.parse({
      schemaVersion: 1,
      crm: target.name,
      entities: { person: { fields: profile.personFields }, company: { fields: [] }, order: { fields: [] } },
      consent: profile.consent,
      segmentation: { rules: [{ name: "us-region", when: { store: ["boston"] }, connection: "it-us" }] },
      validation: { required: { person: ["email"], company: ["name"], order: ["total"] } },
      ...input,
    });
  let current: ReturnType<typeof config>;
  const deps = () => ({
    connection: "it",
    crm: crm.adapter,
    links,
    failures,
    clock: systemClock,
    retry: inlineRetryPolicy,
    logger,
    model: new SyncModel(async () => current, "it", logger),
  });

  beforeAll(async () => {
    // Links and failures live in custom objects: the commercetools emulator holds them.
    emulator = await startEmulator();
    const store = new CustomObjectStore(
      createCommercetoolsApi({ CTP_PROJECT_KEY: emulator.projectKey, CTP_CLIENT_ID: "it", CTP_CLIENT_SECRET: "it", CTP_AUTH_URL: emulator.url, CTP_API_URL: emulator.url }),
    );
    links = new LinkStore(store, "it");
    failures = new FailureStore(store, () => new Date());
    crm = await target.start();
    await crm.adapter.ensureSchema(ctx);
    profile = await target.mappedFields!(crm);
    current = config();
  });
  afterAll(async () => {
    await crm?.close();
    await emulator?.close();
  });

  it("refuses a record that fails validation, with a reason per field, and sends nothing", async () => {
    const bad = person("sm-invalid", { email: "not-an-email", phone: "030 123", address: { country: "Germany" } });
    const [outcome] = await writeRecords(deps(), "person", [bad], ctx);
    expect(outcome).toMatchObject({ outcome: "failed", error: { errorClass: "validation" } });
    expect(outcome!.error!.fields).toMatchObject({ email: "not a valid email address", "address.country": expect.any(String), phone: expect.stringContaining("E.164") });
    const stored = await failures.get(failureKey("it", "ct-to-crm", "person", "sm-invalid"));
    expect(stored?.errorClass).toBe("validation");
    expect((await crm.inspect.people()).filter((p) => p.sourceId === "sm-invalid")).toHaveLength(0);
  });

  it("keeps a revoked consent against an older grant delivered later, and skips no-op writes", async () => {
    const revoked: Person = person("sm-consent", { sourceVersion: 2, emailConsent: { granted: false, at: "2026-11-10T09:00:00.000Z", source: "unsubscribe" } });
    expect((await writeRecords(deps(), "person", [revoked], ctx))[0]!.outcome).toBe("written");
    const olderGrant = { ...revoked, sourceVersion: 3, emailConsent: { granted: true, at: "2026-11-01T09:00:00.000Z", source: "storefront" } };
    // The older grant changes nothing: same mapped values, no CRM write.
    expect((await writeRecords(deps(), "person", [olderGrant], ctx))[0]!.outcome).toBe("unchanged");
    const link = await links.get("person", "sm-consent");
    expect(link?.value.written.emailConsent).toMatchObject({ granted: false });
    expect((await profile.read("sm-consent")).emailOptIn).toBe(false);
    const newerGrant = { ...revoked, sourceVersion: 4, emailConsent: { granted: true, at: "2026-11-20T09:00:00.000Z", source: "storefront" } };
    expect((await writeRecords(deps(), "person", [newerGrant], ctx))[0]!.outcome).toBe("written");
    expect((await links.get("person", "sm-consent"))?.value.written.emailConsent).toMatchObject({ granted: true });
    expect((await profile.read("sm-consent")).emailOptIn).toBe(true);
  });

  it("routes records of another region's store to that region's connection", async () => {
    const [outcome] = await writeRecords(deps(), "person", [person("sm-boston", { storeKeys: ["boston"], address: { country: "US" } })], ctx);
    expect(outcome!.outcome).toBe("skipped");
    expect((await crm.inspect.people()).filter((p) => p.sourceId === "sm-boston")).toHaveLength(0);
  });

  it("writes a B2B hierarchy: division under its company, associate under the division", async () => {
    await writeRecords(deps(), "company", [company("sm-parent")], ctx);
    await writeRecords(deps(), "company", [company("sm-division", { unitType: "Division", parentSourceId: "sm-parent" })], ctx);
    await writeRecords(deps(), "person", [person("sm-associate", { companySourceId: "sm-division", roles: ["buyer"] })], ctx);
    const division = (await crm.inspect.companies()).find((c) => c.sourceId === "sm-division");
    expect(division?.parentSourceId).toBe("sm-parent");
    expect((await crm.inspect.people()).find((p) => p.sourceId === "sm-associate")?.companySourceId).toBe("sm-division");
  });

  it("puts a guest order whose email matches two synced people into review, writing nothing", async () => {
    const twins = await crm.adapter.upsertPeople([person("sm-twin-1", { email: "twins@example.com" }), person("sm-twin-2", { email: "twins@example.com" })], ctx);
    if (target.oneContactPerEmail) {
      // The CRM itself holds one contact per email: the second person is the ambiguity, in review before any order names them.
      expect(twins[1]).toMatchObject({ ok: false, error: { errorClass: "ambiguous_match" } });
      expect((await crm.inspect.people()).filter((p) => p.sourceId === "sm-twin-2")).toHaveLength(0);
      return;
    }
    const sync = new SyncService({ ...deps(), commerce: {} as CommerceReader });
    const order = {
      id: "sm-guest-order",
      version: 1,
      customerEmail: "Twins@Example.com",
      totalPrice: { type: "centPrecision", centAmount: 2490, currencyCode: "EUR", fractionDigits: 2 },
      orderState: "Open",
      createdAt: "2026-11-20T10:00:00.000Z",
      lineItems: [],
      customLineItems: [],
    } as unknown as Order;
    const outcomes = await sync.syncOrders([order], ctx);
    expect(outcomes.at(-1)).toMatchObject({ entity: "order", sourceId: "sm-guest-order", outcome: "failed" });
    const failure = await failures.get(failureKey("it", "ct-to-crm", "order", "sm-guest-order"));
    expect(failure?.errorClass).toBe("ambiguous_match");
    expect(Object.values(failure?.fields ?? {}).join(" ")).toMatch(/sm-twin-1[\s\S]*sm-twin-2|sm-twin-2[\s\S]*sm-twin-1/);
    expect((await crm.inspect.orders()).filter((o) => o.sourceId === "sm-guest-order" || o.sourceId?.includes("sm-guest-order"))).toHaveLength(0);
  });

  it("maps custom fields with owners: first-write is never overwritten, commercetools-owned follows", async () => {
    const base = person("sm-owned", { custom: { signupChannel: "webshop", loyaltyTier: "gold" } } as Partial<Person>);
    await writeRecords(deps(), "person", [base], ctx);
    const changed = { ...base, sourceVersion: 2, custom: { signupChannel: "app", loyaltyTier: "silver" } } as Person;
    await writeRecords(deps(), "person", [changed], ctx);
    const held = await profile.read("sm-owned");
    expect(held.signupChannel).toBe("webshop");
    // "silver" has no lookup entry and no default: nothing to write, the last value stands.
    expect(held.loyaltyTier).toBe("Gold customer");
    expect(logger.entries.some((e) => e.message === "field decision" && e.meta?.field === profile.personFields[0]!.target && e.meta?.winner === "crm")).toBe(true);
    expect(JSON.stringify(logger.entries)).not.toContain("webshop");
  });
});
