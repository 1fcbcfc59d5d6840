import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncError } from "@ct-crm-sync/core/domain/errors";
import { type Clock, systemClock } from "@ct-crm-sync/core/ports/clock";
import { withRetry } from "@ct-crm-sync/core/reliability/retry";
import { conformanceTargets } from "./targets";
import { testContext, type RunningTarget } from "./target";
import { company, order, person } from "./fixtures";

const ctx = testContext("suite");

describe.each(conformanceTargets)("CRM adapter conformance: $name", (target) => {
  let crm: RunningTarget;
  beforeAll(async () => {
    crm = await target.start();
    await crm.adapter.ensureSchema(ctx);
  });
  afterAll(async () => {
    await crm?.close();
  });

  it("creates a person, readable through the CRM's own API", async () => {
    const [outcome] = await crm.adapter.upsertPeople([person("p-create")], ctx);
    expect(outcome).toMatchObject({ sourceId: "p-create", ok: true, created: true });
    const found = (await crm.inspect.people()).filter((p) => p.sourceId === "p-create");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ email: "p-create@example.com", firstName: "Jane", lastName: "Doe-p-create" });
  });

  it("updates the same record when the person changes", async () => {
    await crm.adapter.upsertPeople([person("p-update")], ctx);
    const [outcome] = await crm.adapter.upsertPeople([person("p-update", { lastName: "Smith", sourceVersion: 2 })], ctx);
    expect(outcome).toMatchObject({ ok: true, created: false });
    const found = (await crm.inspect.people()).filter((p) => p.sourceId === "p-update");
    expect(found).toHaveLength(1);
    expect(found[0]?.lastName).toBe("Smith");
  });

  it("is idempotent when a write is retried", async () => {
    const first = await crm.adapter.upsertPeople([person("p-retry")], ctx);
    for (let i = 0; i < 4; i++) await crm.adapter.upsertPeople([person("p-retry")], ctx);
    const again = await crm.adapter.upsertPeople([person("p-retry")], ctx);
    expect(again[0]).toMatchObject({ ok: true, created: false });
    expect(again[0] && "crmId" in again[0] && again[0].crmId).toBe(first[0] && "crmId" in first[0] && first[0].crmId);
    expect((await crm.inspect.people()).filter((p) => p.sourceId === "p-retry")).toHaveLength(1);
  });

  it("leaves one record when the same person is delivered ten times at once", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => crm.adapter.upsertPeople([person("p-concurrent")], ctx)),
    );
    expect(outcomes.flat().every((o) => o.ok)).toBe(true);
    expect((await crm.inspect.people()).filter((p) => p.sourceId === "p-concurrent")).toHaveLength(1);
  });

  it("writes a batch and answers per record, in input order", async () => {
    const batch = Array.from({ length: 25 }, (_, i) => person(`p-batch-${i}`));
    const outcomes = await crm.adapter.upsertPeople(batch, ctx);
    expect(outcomes.map((o) => o.sourceId)).toEqual(batch.map((p) => p.sourceId));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const ids = new Set((await crm.inspect.people()).map((p) => p.sourceId));
    for (const p of batch) expect(ids.has(p.sourceId)).toBe(true);
  });

  it("records an order once, linked to its person, however often it is written", async () => {
    await crm.adapter.upsertPeople([person("p-order")], ctx);
    const theOrder = order("o-1", "p-order");
    await crm.adapter.upsertOrders([theOrder], ctx);
    await crm.adapter.upsertOrders([theOrder], ctx);
    await Promise.all(Array.from({ length: 5 }, () => crm.adapter.upsertOrders([{ ...theOrder, paymentState: "Paid" }], ctx)));
    const orders = (await crm.inspect.orders()).filter((o) => o.sourceId === "o-1" || o.sourceId === theOrder.activityKey);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ personSourceId: "p-order", totalAmount: 123.45, currency: "EUR", paymentState: "Paid" });
  });

  it("holds a B2B company with its contacts", async () => {
    const parent = company("bu-parent");
    const division = company("bu-division", { unitType: "Division", parentSourceId: "bu-parent", name: "ACME East" });
    const companyOutcomes = await crm.adapter.upsertCompanies([parent, division], ctx);
    expect(companyOutcomes.every((o) => o.ok)).toBe(true);
    await crm.adapter.upsertPeople(
      [
        person("p-assoc-1", { companySourceId: "bu-division", companyName: "ACME East", roles: ["buyer"] }),
        person("p-assoc-2", { companySourceId: "bu-division", companyName: "ACME East", roles: ["admin"] }),
      ],
      ctx,
    );
    const companies = await crm.inspect.companies();
    expect(companies.filter((c) => c.sourceId === "bu-division")).toHaveLength(1);
    expect(companies.find((c) => c.sourceId === "bu-division")?.parentSourceId).toBe("bu-parent");
    const associates = (await crm.inspect.people()).filter((p) => p.sourceId?.startsWith("p-assoc-"));
    expect(associates).toHaveLength(2);
    for (const a of associates) expect(a.companySourceId).toBe("bu-division");
  });

  it("surfaces throttling as a retryable error with the wait the CRM asked for, and succeeds after it", async () => {
    await crm.armFault({ status: 429, times: 1, retryAfterSeconds: 1 });
    const error = await crm.adapter.upsertPeople([person("p-throttle")], ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).errorClass).toBe("throttled");
    expect((error as SyncError).details.retryAfterSeconds).toBeGreaterThan(0);

    await crm.armFault({ status: 429, times: 1, retryAfterSeconds: 1 });
    // The retry policy waits on this clock: what it was asked to wait is the wait the CRM announced.
    const waits: number[] = [];
    const clock: Clock = { now: () => systemClock.now(), sleep: (ms, signal) => (waits.push(ms), systemClock.sleep(ms, signal)) };
    const outcomes = await withRetry(
      () => crm.adapter.upsertPeople([person("p-throttle")], ctx),
      { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 2000, budgetMs: 5000 },
      clock,
    );
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(outcomes[0]?.ok).toBe(true);
    expect((await crm.inspect.people()).filter((p) => p.sourceId === "p-throttle")).toHaveLength(1);
  });

  it("surfaces a server error as a transient failure", async () => {
    await crm.armFault({ status: 503, times: 1 });
    const error = await crm.adapter.upsertPeople([person("p-5xx")], ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).errorClass).toBe("crm_unavailable");
  });

  it("returns a validation failure with the CRM's own message, without failing the batch", async () => {
    const { person: bad, messageIncludes } = target.invalidPerson(person("p-invalid"));
    const outcomes = await crm.adapter.upsertPeople([person("p-valid-neighbour"), bad], ctx);
    expect(outcomes[0]?.ok).toBe(true);
    const failed = outcomes[1];
    expect(failed?.ok).toBe(false);
    if (failed && !failed.ok) {
      expect(failed.error.errorClass).toBe("validation");
      expect(failed.error.message).toContain(messageIncludes);
    }
  });

  it("finds people by commercetools ID and by email", async () => {
    await crm.adapter.upsertPeople([person("p-find")], ctx);
    const byId = await crm.adapter.findPeople({ sourceId: "p-find" }, ctx);
    expect(byId).toHaveLength(1);
    expect(byId[0]?.sourceId).toBe("p-find");
    const byEmail = await crm.adapter.findPeople({ email: "p-find@example.com" }, ctx);
    expect(byEmail.map((r) => r.crmId)).toEqual([byId[0]?.crmId]);
  });
});
