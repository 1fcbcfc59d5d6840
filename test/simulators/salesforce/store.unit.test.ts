import { describe, expect, it } from "vitest";
import { SalesforceStore } from "./store";

const contact = (id: string, lastName = "Doe") => ({ CT_Customer_Id__c: id, LastName: lastName });

describe("SalesforceStore external-ID lookups", () => {
  it("finds a record by its current external ID, case-insensitively, after creates, key changes, deletes and rollbacks", () => {
    const store = new SalesforceStore();
    const first = store.upsert("Contact", "CT_Customer_Id__c", "cust-1", contact("cust-1"));
    expect(first).toMatchObject({ ok: true, created: true });
    expect(store.upsert("Contact", "CT_Customer_Id__c", "CUST-1", { LastName: "Again" })).toMatchObject({ ok: true, created: false });

    // The key changes through a plain update: the old value no longer finds it.
    const id = (first as { id: string }).id;
    expect(store.update("Contact", id, { CT_Customer_Id__c: "cust-2" })).toMatchObject({ ok: true });
    expect(store.upsert("Contact", "CT_Customer_Id__c", "cust-2", { LastName: "Moved" })).toMatchObject({ ok: true, id, created: false });
    const recreated = store.upsert("Contact", "CT_Customer_Id__c", "cust-1", contact("cust-1", "New"));
    expect(recreated).toMatchObject({ ok: true, created: true });

    // A rolled-back request leaves the lookups as they were before it.
    const rollback = store.snapshot();
    store.upsert("Contact", "CT_Customer_Id__c", "cust-3", contact("cust-3"));
    rollback();
    expect(store.upsert("Contact", "CT_Customer_Id__c", "cust-3", contact("cust-3"))).toMatchObject({ ok: true, created: true });

    // Deleted: an upsert creates a new record, and a unique value is free again.
    expect(store.delete("Contact", id)).toBe(true);
    expect(store.upsert("Contact", "CT_Customer_Id__c", "cust-2", contact("cust-2"))).toMatchObject({ ok: true, created: true });
  });

  it("answers 300 with every match when seeded duplicates share an external ID", () => {
    const store = new SalesforceStore();
    const a = store.seed("Contact", contact("dup"));
    const b = store.seed("Contact", contact("DUP"));
    expect(store.upsert("Contact", "CT_Customer_Id__c", "dup", { LastName: "X" })).toMatchObject({ ok: false, status: 300, matches: [a.Id, b.Id] });
  });

  it("reads a record by its 15-character Id", () => {
    const store = new SalesforceStore();
    const row = store.seed("Contact", contact("c"));
    expect(store.get("Contact", row.Id.slice(0, 15))?.Id).toBe(row.Id);
    const other = store.seed("Contact", contact("d"));
    expect(store.get("Contact", other.Id.slice(0, 15))?.Id).toBe(other.Id);
    store.delete("Contact", other.Id);
    expect(store.get("Contact", other.Id.slice(0, 15))).toBeUndefined();
  });
});

describe("SalesforceStore concurrent upserts of one new external ID", () => {
  it("refuses, with DUPLICATE_VALUE, an upsert whose request arrived before another request created its key; later requests update", () => {
    const store = new SalesforceStore();
    const early = { id: "request-b", arrivedAt: Date.now() - 1_000 }; // arrived, then waited (a slow network, a delay)
    expect(store.upsert("Contact", "CT_Customer_Id__c", "race-1", contact("race-1"), "json", { id: "request-a", arrivedAt: Date.now() - 10 })).toMatchObject({ ok: true, created: true });
    const refused = store.upsert("Contact", "CT_Customer_Id__c", "race-1", contact("race-1", "Other"), "json", early);
    expect(refused).toMatchObject({ ok: false, status: 400, errors: [{ errorCode: "DUPLICATE_VALUE", fields: ["CT_Customer_Id__c"] }] });
    // The creating request itself, a request arriving after the create, and callers without a request are not racing.
    expect(store.upsert("Contact", "CT_Customer_Id__c", "race-1", contact("race-1", "Same"), "json", { id: "request-a", arrivedAt: 0 })).toMatchObject({ ok: true, created: false });
    expect(store.upsert("Contact", "CT_Customer_Id__c", "race-1", contact("race-1", "Later"), "json", { id: "request-c", arrivedAt: Date.now() + 1 })).toMatchObject({ ok: true, created: false });
    expect(store.upsert("Contact", "CT_Customer_Id__c", "race-1", contact("race-1", "Plain"))).toMatchObject({ ok: true, created: false });
    expect(store.rows("Contact", false).filter((r) => r.CT_Customer_Id__c === "race-1")).toHaveLength(1);
  });

  it("never refuses with concurrent inserts switched off", () => {
    const store = new SalesforceStore();
    store.concurrentInserts = false;
    store.upsert("Contact", "CT_Customer_Id__c", "race-2", contact("race-2"), "json", { id: "request-a", arrivedAt: Date.now() });
    expect(store.upsert("Contact", "CT_Customer_Id__c", "race-2", contact("race-2"), "json", { id: "request-b", arrivedAt: 0 })).toMatchObject({ ok: true, created: false });
  });
});
