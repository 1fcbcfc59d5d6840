import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import { seedCustomers } from "../../test/bench/seed-data";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { runJob } from "../src/run-job";

/**
 * A backfill below the bulk threshold (sObject Collections batches): every
 * written record has its link, an open failure entry of a now-written record
 * is resolved, and records without an entry are not resolved one by one.
 */
describe("job: settling collection writes (Salesforce, 450 customers)", () => {
  let sandbox: Sandbox;
  let ids: string[];
  const n = 450;

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true });
    ids = await seedCustomers(sandbox.emulator, n, { ordersPerCustomer: 0 });
  }, 60_000);
  afterAll(() => sandbox?.stop());

  it("saves every link, resolves only the records that had an open failure", async () => {
    const { failures, links, connection, crm } = sandbox.runtimes.job;
    const failedBefore = [ids[3]!, ids[250]!];
    for (const sourceId of failedBefore) {
      await failures.record({
        connection,
        crm: crm.name,
        direction: "ct-to-crm",
        entity: "person",
        sourceId,
        sourceVersion: 1,
        error: { errorClass: "crm_unavailable", message: "CRM was down" },
        correlationId: "earlier-run",
        retryable: true,
      });
    }
    const resolve = vi.spyOn(failures, "resolve");

    const run = await runJob(sandbox.runtimes.job, { tasks: ["backfill"], entities: ["customer"] });
    expect(run.outcome, run.detail).toBe("succeeded");
    expect(run.counts["backfill.customer.written"]).toBe(n);

    expect(resolve.mock.calls.map((call) => call[3]).sort()).toEqual([...failedBefore].sort());
    for (const sourceId of failedBefore) {
      expect((await failures.get(failureKey(connection, "ct-to-crm", "person", sourceId)))?.state).toBe("resolved");
    }
    const saved = await links.getMany("person", ids);
    expect(saved.size).toBe(n);
    const contacts = sandbox.salesforce.store.rows("Contact", false);
    expect(new Set(contacts.map((c) => c.CT_Customer_Id__c)).size).toBe(n);
    expect([...saved.values()].every((l) => contacts.some((c) => c.Id === l.value.crmId))).toBe(true);
  }, 60_000);
});
