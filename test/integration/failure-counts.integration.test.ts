import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommercetoolsApi } from "@ct-crm-sync/core/commercetools/client";
import { CustomObjectStore } from "@ct-crm-sync/core/commercetools/custom-object-store";
import type { ErrorClass } from "@ct-crm-sync/core/domain/errors";
import { containers } from "@ct-crm-sync/core/state/containers";
import { FailureCounter } from "@ct-crm-sync/core/state/failure-counts";
import { FailureStore, type FailureInput } from "@ct-crm-sync/core/state/failure-store";
import { startEmulator, type Emulator } from "../emulator/emulator";

const failure = (connection: string, sourceId: string, errorClass: ErrorClass, retryable: boolean): FailureInput => ({
  connection,
  crm: "salesforce",
  direction: "ct-to-crm",
  entity: "person",
  sourceId,
  error: { errorClass, message: "refused" },
  correlationId: `corr-${sourceId}`,
  retryable,
});

/** The failure counts the status page reads: kept with every change of an entry, across instances. */
describe("failure counts (against the emulator)", () => {
  let emulator: Emulator;
  let store: CustomObjectStore;
  beforeAll(async () => {
    emulator = await startEmulator();
    const api = createCommercetoolsApi({ CTP_PROJECT_KEY: emulator.projectKey, CTP_CLIENT_ID: "t", CTP_CLIENT_SECRET: "t", CTP_AUTH_URL: emulator.url, CTP_API_URL: emulator.url });
    store = new CustomObjectStore(api);
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("counts entries per direction, state and class as they are recorded, retried, resolved and dismissed", async () => {
    const failures = new FailureStore(store);
    await failures.record(failure("c1", "a", "crm_unavailable", true));
    await failures.record(failure("c1", "a", "crm_unavailable", true)); // a second attempt: still one entry
    await failures.record(failure("c1", "b", "validation", false));
    await failures.record(failure("c1", "c", "validation", false));
    await failures.record(failure("c2", "x", "auth", false));
    expect((await new FailureCounter(store).read("c1"))?.value.counts).toEqual({ "ct-to-crm": { retrying: { crm_unavailable: 1 }, open: { validation: 2 } } });

    await failures.resolve("c1", "ct-to-crm", "person", "a");
    const open = (await failures.list({ entity: "person", state: "open" }, { limit: 500 })).items.find((f) => f.sourceId === "c")!;
    await failures.dismiss(open.id);
    await failures.record(failure("c1", "b", "throttled", true)); // the same record failing otherwise now
    expect((await new FailureCounter(store).read("c1"))?.value.counts).toEqual({ "ct-to-crm": { retrying: { crm_unavailable: 0, throttled: 1 }, open: { validation: 0 } } });
    expect((await new FailureCounter(store).read("c2"))?.value.counts).toEqual({ "ct-to-crm": { open: { auth: 1 } } });
  });

  it("stays exact when many entries change at once in two instances", async () => {
    const [one, two] = [new FailureStore(store), new FailureStore(store)];
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).record(failure("c3", `p${i}`, i % 3 ? "crm_unavailable" : "validation", i % 3 !== 0))),
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? two : one).resolve("c3", "ct-to-crm", "person", `p${i}`)));
    const counts = (await new FailureCounter(store).read("c3"))!.value.counts["ct-to-crm"]!;
    const entries = (await store.list<{ sourceId: string; state: string; errorClass: string; connection: string }>(containers.failures, { limit: 500 })).items.map((i) => i.value).filter((f) => f.connection === "c3");
    const expected = (state: string, errorClass: string) => entries.filter((f) => f.state === state && f.errorClass === errorClass).length;
    expect(counts.retrying?.crm_unavailable).toBe(expected("retrying", "crm_unavailable"));
    expect(counts.open?.validation).toBe(expected("open", "validation"));
    expect(expected("retrying", "crm_unavailable") + expected("open", "validation")).toBe(40);
  });

  it("reads the kept counts, and counts the entries again when the counts are missing or over an hour old", async () => {
    let now = new Date("2026-03-01T10:00:00Z");
    const failures = new FailureStore(store, () => now);
    await failures.record(failure("c4", "a", "validation", false));
    await failures.record(failure("c4", "b", "crm_unavailable", true));
    // Counts lost (an outage while they were written): the entries are what counts.
    await store.delete(containers.failureCounts, FailureCounter.key("c4"));
    expect(await failures.counts("c4")).toEqual({ "ct-to-crm": { open: { validation: 1 }, retrying: { crm_unavailable: 1 } } });
    const kept = await new FailureCounter(store).read("c4");
    expect(kept?.value.recountedAt).toBe(now.toISOString());
    // Within the hour the kept object is read as it stands.
    await store.put(containers.failureCounts, FailureCounter.key("c4"), { ...kept!.value, counts: { "ct-to-crm": { open: { validation: 7 } } } }, kept!.version);
    expect(await failures.counts("c4")).toEqual({ "ct-to-crm": { open: { validation: 7 } } });
    now = new Date("2026-03-01T11:00:01Z");
    expect(await failures.counts("c4")).toEqual({ "ct-to-crm": { open: { validation: 1 }, retrying: { crm_unavailable: 1 } } });
  });
});
