import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComparableValue, CrmReconciliation, SyncedRecord } from "@ct-crm-sync/core/ports/crm-outbound";
import { conformanceTargets } from "./targets";
import { testContext, type RunningTarget } from "./target";
import { company, order, person } from "./fixtures";

const ctx = testContext("reconcile");

/**
 * What one `readSynced` call of 100 IDs may cost in CRM requests: one query
 * (an `in`-style filter), plus a next page or a schema look-up. Reading one
 * record per ID (100 requests) is what this bound refuses.
 */
const maxRequestsFor100Ids = 5;

/** The compared fields of `expected` as the CRM answered them (absent and null are the same: "nothing there"). */
function asAnswered(expected: Record<string, ComparableValue>, actual: Record<string, ComparableValue>) {
  return Object.fromEntries(Object.keys(expected).map((field) => [field, actual[field] ?? null]));
}
const orNull = (values: Record<string, ComparableValue>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v ?? null]));

/** Data requests the simulator served, through its own `/__sim/requests` counter. */
async function requestCount(crm: RunningTarget): Promise<number> {
  const response = await fetch(`${new URL(crm.baseUrl).origin}/__sim/requests`);
  if (!response.ok) throw new Error(`simulator request counter: ${response.status}`);
  return ((await response.json()) as { count: number }).count;
}

describe.each(conformanceTargets)("reconciliation reads the synced population back: $name", (target) => {
  let crm: RunningTarget;
  let reconcile: CrmReconciliation;
  const bySource = (records: SyncedRecord[]) => records.map((r) => r.sourceId).sort();

  beforeAll(async () => {
    crm = await target.start();
    await crm.adapter.ensureSchema(ctx);
    if (!crm.adapter.reconcile) throw new Error(`${target.name}: its adapter reads nothing back, so it cannot be reconciled`);
    reconcile = crm.adapter.reconcile;
  });
  afterAll(async () => {
    await crm?.close();
  });

  it("answers exactly the people carrying the asked IDs, with the values written (in sync), absent ones absent", async () => {
    const written = [person("rs-p-1"), person("rs-p-2", { firstName: "Ann", phone: undefined })];
    expect((await crm.adapter.upsertPeople(written, ctx)).every((o) => o.ok)).toBe(true);
    await crm.adapter.upsertPeople([person("rs-p-not-asked")], ctx);

    const records = await reconcile.readSynced("person", ["rs-p-1", "rs-p-2", "rs-p-absent"], ctx);
    expect(bySource(records)).toEqual(["rs-p-1", "rs-p-2"]);
    for (const p of written) {
      const record = records.find((r) => r.sourceId === p.sourceId)!;
      expect(record.crmId).toBeTruthy();
      const expected = reconcile.expectedPersonValues(p);
      expect(asAnswered(expected, record.values)).toEqual(orNull(expected));
    }
  });

  it("shows a person whose CRM record holds other values than commercetools' as differing", async () => {
    const synced = person("rs-p-edited");
    await crm.adapter.upsertPeople([synced], ctx);
    // The CRM record now holds another last name than the one commercetools has.
    await crm.adapter.upsertPeople([{ ...synced, lastName: "Edited-in-the-CRM", sourceVersion: 2 }], ctx);

    const [record] = await reconcile.readSynced("person", ["rs-p-edited"], ctx);
    const expected = reconcile.expectedPersonValues(synced);
    expect(asAnswered(expected, record!.values)).not.toEqual(orNull(expected));
  });

  it("answers a duplicate made in the CRM behind the integration's back twice, where the CRM allows one", async () => {
    await crm.adapter.upsertPeople([person("rs-p-dup")], ctx);
    const duplicate = crm.duplicatePerson;
    const expectedRecords = duplicate ? 2 : 1;
    if (duplicate) await duplicate.call(crm, "rs-p-dup");

    const records = await reconcile.readSynced("person", ["rs-p-dup"], ctx);
    expect(records.map((r) => r.sourceId)).toEqual(Array(expectedRecords).fill("rs-p-dup"));
    expect(new Set(records.map((r) => r.crmId)).size).toBe(expectedRecords);
  });

  it("answers exactly the companies carrying the asked IDs, with the values written", async () => {
    const parent = company("rs-c-parent");
    const division = company("rs-c-division", { unitType: "Division", parentSourceId: "rs-c-parent", name: "ACME Reconciled East" });
    expect((await crm.adapter.upsertCompanies([parent, division], ctx)).every((o) => o.ok)).toBe(true);

    const records = await reconcile.readSynced("company", ["rs-c-parent", "rs-c-division", "rs-c-absent"], ctx);
    expect(bySource(records)).toEqual(["rs-c-division", "rs-c-parent"]);
    for (const c of [parent, division]) {
      const expected = reconcile.expectedValues(c);
      expect(asAnswered(expected, records.find((r) => r.sourceId === c.sourceId)!.values)).toEqual(orNull(expected));
    }
    const renamed = { ...division, name: "ACME Renamed In Commercetools", sourceVersion: 2 };
    const [divisionRecord] = await reconcile.readSynced("company", ["rs-c-division"], ctx);
    expect(asAnswered(reconcile.expectedValues(renamed), divisionRecord!.values)).not.toEqual(orNull(reconcile.expectedValues(renamed)));
  });

  // An order is answered by its commercetools order ID, whatever the CRM keys its record or activity by.
  it("answers exactly the orders carrying the asked commercetools order IDs, with the values written", async () => {
    await crm.adapter.upsertPeople([person("rs-p-buyer")], ctx);
    const orders = [order("rs-o-1", "rs-p-buyer"), order("rs-o-2", "rs-p-buyer", { paymentState: "Paid" })];
    expect((await crm.adapter.upsertOrders(orders, ctx)).every((o) => o.ok)).toBe(true);

    const records = await reconcile.readSynced("order", ["rs-o-1", "rs-o-2", "rs-o-absent"], ctx);
    expect(bySource(records)).toEqual(["rs-o-1", "rs-o-2"]);
    for (const o of orders) {
      const expected = reconcile.expectedValues(o);
      expect(asAnswered(expected, records.find((r) => r.sourceId === o.sourceId)!.values)).toEqual(orNull(expected));
    }
    const repriced = { ...orders[0]!, total: { centAmount: 99_900, currencyCode: "EUR", fractionDigits: 2 }, sourceVersion: 2 };
    const [first] = await reconcile.readSynced("order", ["rs-o-1"], ctx);
    expect(asAnswered(reconcile.expectedValues(repriced), first!.values)).not.toEqual(orNull(reconcile.expectedValues(repriced)));
  });

  it(`reads 100 IDs in at most ${maxRequestsFor100Ids} CRM requests, not one per ID`, async () => {
    const present = Array.from({ length: 20 }, (_, i) => person(`rs-cost-${i}`));
    expect((await crm.adapter.upsertPeople(present, ctx)).every((o) => o.ok)).toBe(true);
    const ids = Array.from({ length: 100 }, (_, i) => `rs-cost-${i}`);

    const before = await requestCount(crm);
    const records = await reconcile.readSynced("person", ids, ctx);
    const spent = (await requestCount(crm)) - before;

    expect(bySource(records)).toEqual(present.map((p) => p.sourceId).sort());
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(maxRequestsFor100Ids);
  });
});

// The cost bound above is measured through each simulator's own request counter: it must see the adapter's requests.
describe.each(conformanceTargets)("the simulator counts the adapter's requests: $name", (target) => {
  let crm: RunningTarget;
  beforeAll(async () => {
    crm = await target.start();
    await crm.adapter.ensureSchema(ctx);
  });
  afterAll(async () => {
    await crm?.close();
  });

  it("counts a person's write among its data requests", async () => {
    const before = await requestCount(crm);
    await crm.adapter.upsertPeople([person("rs-counted")], ctx);
    expect(await requestCount(crm)).toBeGreaterThan(before);
  });
});
