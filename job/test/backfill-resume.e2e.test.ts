import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCustomers } from "../../test/bench/seed-data";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { runJob } from "../src/run-job";
import { postToJob } from "../../test/support/job-requests";

/**
 * The acceptance case: a backfill of 10,000 customers, killed after
 * its second checkpoint, resumed by a POST to the job app, ends with exactly
 * 10,000 contacts and no duplicates.
 */
describe("job: killed-and-resumed backfill (Salesforce, 10,000 customers)", () => {
  let sandbox: Sandbox;
  const n = 10_000;

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true });
    await seedCustomers(sandbox.emulator, n, { ordersPerCustomer: 0, sameStamp: 13 });
  }, 120_000);
  afterAll(() => sandbox?.stop());

  it("resumes from its checkpoint and leaves exactly one contact per customer", async () => {
    const killer = new AbortController();
    let checkpoints = 0;
    const killed = runJob(
      sandbox.runtimes.job,
      { tasks: ["backfill"], entities: ["customer"], bulkChunkSize: 2_500, pageSize: 500 },
      {
        signal: killer.signal,
        onCheckpoint: () => {
          checkpoints += 1;
          if (checkpoints === 2) killer.abort(new Error("killed"));
        },
      },
    );
    await expect(killed).rejects.toThrow();
    const atKill = sandbox.salesforce.store.rows("Contact", false).length;
    expect(atKill).toBeGreaterThanOrEqual(5_000);
    expect(atKill).toBeLessThan(n);

    const response = await postToJob(sandbox, { tasks: ["backfill"], entities: ["customer"], bulkChunkSize: 2_500, pageSize: 500 });
    const run = (await response.json()) as { counts: Record<string, number> };
    expect(response.status, JSON.stringify(run)).toBe(200);
    // The resumed run read only what came after the checkpoint.
    expect(run.counts["backfill.customer.read"]).toBe(n - 5_000);

    const contacts = sandbox.salesforce.store.rows("Contact", false);
    const ids = contacts.map((c) => c.CT_Customer_Id__c);
    expect(contacts.length).toBe(n);
    expect(new Set(ids).size).toBe(n);
  }, 120_000);
});
