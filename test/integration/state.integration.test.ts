import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../emulator/emulator";
import { createCommercetoolsApi } from "@ct-crm-sync/core/commercetools/client";
import { CustomObjectStore } from "@ct-crm-sync/core/commercetools/custom-object-store";
import { ConcurrentModificationError } from "@ct-crm-sync/core/ports/key-value-store";
import { FailureStore } from "@ct-crm-sync/core/state/failure-store";
import { LinkStore, type SyncLink } from "@ct-crm-sync/core/state/link-store";

describe("state in commercetools custom objects (against the emulator)", () => {
  let emulator: Emulator;
  let store: CustomObjectStore;
  beforeAll(async () => {
    emulator = await startEmulator();
    store = new CustomObjectStore(
      createCommercetoolsApi({
        CTP_PROJECT_KEY: emulator.projectKey,
        CTP_CLIENT_ID: "test",
        CTP_CLIENT_SECRET: "test",
        CTP_AUTH_URL: emulator.url,
        CTP_API_URL: emulator.url,
      }),
    );
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("settles writers of one object racing each other: one create wins, one update per version wins", async () => {
    const creates = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => store.put("t-race", "k", { n })));
    expect(creates.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const { version } = (await store.get("t-race", "k"))!;
    const updates = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => store.put("t-race", "k", { n }, version)));
    expect(updates.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("creates only once: a second create of the same key is a concurrent modification", async () => {
    await store.put("t-create", "k", { n: 1 });
    await expect(store.put("t-create", "k", { n: 2 })).rejects.toBeInstanceOf(ConcurrentModificationError);
    expect((await store.get<{ n: number }>("t-create", "k"))?.value.n).toBe(1);
  });

  it("updates with the expected version only", async () => {
    const created = await store.put("t-version", "k", { n: 1 });
    const updated = await store.put("t-version", "k", { n: 2 }, created.version);
    await expect(store.put("t-version", "k", { n: 3 }, created.version)).rejects.toMatchObject({ currentVersion: updated.version });
  });

  it("lists in key order with cursor paging and reads many keys at once", async () => {
    for (const key of ["c", "a", "e", "b", "d"]) await store.put("t-list", key, { key });
    const first = await store.list("t-list", { limit: 2 });
    expect(first.items.map((i) => i.key)).toEqual(["a", "b"]);
    const second = await store.list("t-list", { limit: 2, afterKey: first.nextKey });
    expect(second.items.map((i) => i.key)).toEqual(["c", "d"]);
    expect([...(await store.getMany("t-list", ["e", "a", "zz"])).keys()].sort()).toEqual(["a", "e"]);
  });

  it("never lets a slower writer roll a link back to an older source version", async () => {
    const links = new LinkStore(store, "test");
    const link = (sourceVersion: number): SyncLink => ({
      connection: "test",
      entity: "person",
      sourceId: "c-race",
      crmId: "003x",
      sourceVersion,
      hash: `h${sourceVersion}`,
      written: {},
      syncedAt: new Date().toISOString(),
      correlationId: "t",
    });
    await Promise.all([5, 3, 4, 1, 2].map((v) => links.save(link(v))));
    expect((await links.get("person", "c-race"))?.value.sourceVersion).toBe(5);
  });

  it("finds a link by CRM ID within its connection and entity, whatever the ID holds", async () => {
    const save = (connection: string, entity: "person" | "company", sourceId: string, crmId: string, syncedAt: string) =>
      new LinkStore(store, connection).save({ connection, entity, sourceId, crmId, sourceVersion: 1, hash: "h", written: {}, syncedAt, correlationId: "t" });
    await save("eu", "person", "c-1", "crm-1", "2026-01-01T00:00:00.000Z");
    await save("us", "person", "c-2", "crm-1", "2026-01-01T00:00:00.000Z");
    await save("eu", "company", "bu-1", "crm-1", "2026-01-01T00:00:00.000Z");
    // A CRM merge left two people on one CRM record: the most recently synced answers.
    await save("eu", "person", "c-3", "crm-2", "2026-01-01T00:00:00.000Z");
    await save("eu", "person", "c-4", "crm-2", "2026-02-01T00:00:00.000Z");
    const eu = new LinkStore(store, "eu");
    expect((await eu.byCrmId("person", "crm-1"))?.value.sourceId).toBe("c-1");
    expect((await eu.byCrmId("company", "crm-1"))?.value.sourceId).toBe("bu-1");
    expect((await new LinkStore(store, "us").byCrmId("person", "crm-1"))?.value.sourceId).toBe("c-2");
    expect((await eu.byCrmId("person", "crm-2"))?.value.sourceId).toBe("c-4");
    // An ID crafted to widen the predicate is a value, not query text.
    expect(await eu.byCrmId("person", 'x") or crmId is defined or (crmId = "y')).toBeUndefined();
  });

  it("keeps one failure entry per record: attempts grow, success resolves it, a new failure reopens it", async () => {
    const failures = new FailureStore(store);
    const input = {
      connection: "test",
      crm: "salesforce",
      direction: "ct-to-crm" as const,
      entity: "person",
      sourceId: "c-fail",
      error: { errorClass: "crm_unavailable" as const, message: "Service Unavailable", status: 503 },
      payload: { email: "jane@example.com", lastName: "Doe" },
      correlationId: "corr-1",
      retryable: true,
    };
    await failures.record(input);
    const second = await failures.record({ ...input, correlationId: "corr-2" });
    expect(second).toMatchObject({ attempts: 2, state: "retrying", correlationId: "corr-2" });
    expect(second.history.map((h) => h.correlationId)).toEqual(["corr-2", "corr-1"]);
    expect(second.payload).toEqual({ email: "j***@example.com", lastName: "D." });
    expect(second.nextAttemptAt).toBeDefined();
    await failures.resolve("test", "ct-to-crm", "person", "c-fail");
    expect((await failures.get(second.id))?.state).toBe("resolved");
    const reopened = await failures.record({ ...input, retryable: false, error: { errorClass: "validation", message: "bad" } });
    expect(reopened).toMatchObject({ attempts: 1, state: "open", errorClass: "validation" });
    const listed = await failures.list({ state: "open", entity: "person" });
    expect(listed.items.map((f) => f.id)).toContain(second.id);
  });
});
