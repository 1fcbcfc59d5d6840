import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommercetoolsApi } from "@ct-crm-sync/core/commercetools/client";
import { CommercetoolsReader } from "@ct-crm-sync/core/commercetools/commerce-reader";
import { CustomObjectStore } from "@ct-crm-sync/core/commercetools/custom-object-store";
import { startEmulator, type Emulator } from "../emulator/emulator";
import { createCustomer, importOrder, seedProjectSetup } from "../sandbox/seed";

/** IDs crafted to widen a predicate built by string interpolation (all quoting styles). */
const injections = [
  'x" or customerId is defined or id = "y',
  "x' or customerId is defined or id = 'y",
  'x") or (customerId is defined',
  "\uD800",
];

describe("commercetools reads with predicate variables (against the emulator)", () => {
  let emulator: Emulator;
  let reader: CommercetoolsReader;
  let store: CustomObjectStore;
  let ann: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    const api = createCommercetoolsApi({ CTP_PROJECT_KEY: emulator.projectKey, CTP_CLIENT_ID: "t", CTP_CLIENT_SECRET: "t", CTP_AUTH_URL: emulator.url, CTP_API_URL: emulator.url });
    await seedProjectSetup(api);
    reader = new CommercetoolsReader(api);
    store = new CustomObjectStore(api);
    ann = await createCustomer(api, { email: "ann@example.com", firstName: "Ann", lastName: "A", store: "berlin", country: "DE" });
    const ben = await createCustomer(api, { email: "ben@example.com", firstName: "Ben", lastName: "B", store: "berlin", country: "DE" });
    for (const [n, customerId] of [ann, ben, ben].entries()) {
      await importOrder(api, { orderNumber: `P-${n}`, customerId, email: "x@example.com", store: "berlin", currency: "EUR", lines: [{ sku: "CUP-ESP", name: "Espresso cup", quantity: 1, cents: 1000 }] });
    }
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("reads one customer's purchases, and none for a crafted ID", async () => {
    expect((await reader.purchaseStats(ann)).orderCount).toBe(1);
    for (const id of injections) {
      expect((await reader.purchaseStats(id)).orderCount, id).toBe(0);
      expect((await reader.purchaseStatsMany([id, ann])).get(id)?.orderCount, id).toBe(0);
      expect(await reader.businessUnitsOfAssociate(id), id).toEqual([]);
      expect((await reader.businessUnitsOfAssociates([id])).get(id), id).toEqual([]);
      expect((await store.getMany("crm-sync-links", [id])).size, id).toBe(0);
    }
    expect((await reader.purchaseStatsMany([ann])).get(ann)?.orderCount).toBe(1);
  });

  it("takes a list of hundreds of values as one variable", async () => {
    const many = [...Array.from({ length: 150 }, (_, i) => `absent-${i}`), ann];
    const stats = await reader.purchaseStatsMany(many);
    expect(stats.get(ann)?.orderCount).toBe(1);
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
    for (const key of keys.slice(0, 30)) await store.put("many-keys", key, { key });
    expect((await store.getMany("many-keys", keys)).size).toBe(30);
  });

  it("reads many resources of a type by ID in one query, and nothing for a crafted ID", async () => {
    const all = await reader.page("customer", { limit: 10 });
    const found = await reader.getMany("customer", [...all.map((c) => c.id), ...injections, "0b7c1f3e-0000-4000-8000-00000000dead"]);
    expect([...found.keys()].sort()).toEqual(all.map((c) => c.id).sort());
    expect(found.get(ann)?.email).toBe("ann@example.com");
    expect((await reader.getMany("order", injections)).size).toBe(0);
    expect((await reader.getMany("business-unit", [])).size).toBe(0);
  });

  it("passes a variable of more than 20 values whole (the emulator's query parser splits longer lists otherwise)", async () => {
    const keys = Array.from({ length: 45 }, (_, i) => `many-${i}`);
    for (const key of keys) await store.put("many-values", key, { key });
    expect((await store.getMany("many-values", keys)).size).toBe(45);
    const customers = await reader.page("customer", { limit: 10 });
    const ids = [...Array.from({ length: 30 }, (_, i) => `0b7c1f3e-0000-4000-8000-${String(i).padStart(12, "0")}`), ...customers.map((c) => c.id)];
    expect((await reader.getMany("customer", ids)).size).toBe(customers.length);
    expect((await reader.purchaseStatsMany(ids)).get(ann)?.orderCount).toBe(1);
  });

  it("pages by (lastModifiedAt, id) with the position as variables", async () => {
    const all = await reader.page("customer", { limit: 10 });
    expect(all).toHaveLength(2);
    const rest = await reader.page("customer", { limit: 10, after: { lastModifiedAt: all[0]!.lastModifiedAt, id: all[0]!.id } });
    expect(rest.map((c) => c.id)).toEqual([all[1]!.id]);
    expect(await reader.page("customer", { limit: 10, after: { lastModifiedAt: injections[0]!, id: injections[0]! } })).toEqual([]);
  });
});
