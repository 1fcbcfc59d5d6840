import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCustomers } from "../../test/bench/seed-data";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { runJob } from "../src/run-job";

/**
 * A backfill large enough for Salesforce's Bulk API goes through the same sync
 * model as every other write: the saved mapping configuration (here a
 * segmentation rule) shapes what the bulk job upserts.
 */
describe("job: bulk backfill applies the mapping configuration (Salesforce, 2,050 customers)", () => {
  let sandbox: Sandbox;
  const n = 2_050;

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true });
    await seedCustomers(sandbox.emulator, n, { ordersPerCustomer: 0 });
  }, 60_000);
  afterAll(() => sandbox?.stop());

  it("writes every contact through one bulk job with the segmentation rule's value", async () => {
    const { mappings } = sandbox.runtimes.job;
    const { current } = await mappings.current();
    await mappings.save({
      ...current,
      segmentation: { rules: [{ name: "berlin", entities: ["person"], when: { store: ["berlin"] }, set: { Description: "Berlin backfill" } }] },
    });

    const run = await runJob(sandbox.runtimes.job, { tasks: ["backfill"], entities: ["customer"] });
    expect(run.outcome, run.detail).toBe("succeeded");
    expect(run.counts["backfill.customer.written"]).toBe(n);

    expect(sandbox.salesforce.requests.some((r) => r.method === "POST" && r.path.endsWith("/jobs/ingest"))).toBe(true);
    const contacts = sandbox.salesforce.store.rows("Contact", false);
    expect(contacts).toHaveLength(n);
    expect(contacts.filter((c) => c.Description !== "Berlin backfill").map((c) => c.CT_Customer_Id__c)).toEqual([]);
  }, 120_000);
});
