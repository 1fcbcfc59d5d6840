import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { JobStateStore } from "@ct-crm-sync/core/state/job-state";
import type { SyncLink } from "@ct-crm-sync/core/state/link-store";
import { seedCustomers } from "../../test/bench/seed-data";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { runJob } from "../src/run-job";

/**
 * The job writes two chunks at once. When one cannot be settled (its links
 * cannot be saved), the checkpoint stays before it even if the chunk after it
 * finished, and the next run redoes it without duplicates.
 */
describe("job: checkpoints behind chunks written side by side (Salesforce, 1,000 customers)", () => {
  let sandbox: Sandbox;
  let ids: string[];
  const n = 1_000;
  const chunk = 200;

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true });
    // One customer a second: page order is seeding order, so chunk k holds ids[200k … 200k + 199].
    ids = await seedCustomers(sandbox.emulator, n, { ordersPerCustomer: 0, sameStamp: 1 });
  }, 60_000);
  afterAll(() => sandbox?.stop());

  it("keeps the checkpoint before a chunk that failed while the next one finished", async () => {
    const { links, connection, store } = sandbox.runtimes.job;
    const unsavable = ids[chunk + 100]!; // in the second chunk
    const saved: string[] = [];
    const save = links.saveAfterWrite.bind(links);
    const spy = vi.spyOn(links, "saveAfterWrite").mockImplementation(async (link: SyncLink, known) => {
      if (link.sourceId === unsavable) throw new Error("commercetools unavailable");
      const result = await save(link, known);
      saved.push(link.sourceId);
      return result;
    });
    const request = { tasks: ["backfill" as const], entities: ["customer" as const], bulkChunkSize: chunk, pageSize: chunk };
    const failed = await runJob(sandbox.runtimes.job, request);
    spy.mockRestore();

    expect(failed.outcome).toBe("failed");
    // The third chunk was written beside the second and finished…
    expect(saved).toContain(ids[2 * chunk + 50]);
    // …but the checkpoint stays at the end of the first.
    const checkpoint = await new JobStateStore(store, connection).checkpoint("backfill-customer");
    expect(checkpoint?.value.lastId).toBe(ids[chunk - 1]);

    const resumed = await runJob(sandbox.runtimes.job, request);
    expect(resumed.outcome).toBe("succeeded");
    expect(resumed.counts["backfill.customer.read"]).toBe(n - chunk);
    const contacts = sandbox.salesforce.store.rows("Contact", false);
    expect(contacts).toHaveLength(n);
    expect(new Set(contacts.map((c) => c.CT_Customer_Id__c)).size).toBe(n);
  }, 60_000);
});
