import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import { seedCustomers } from "../../test/bench/seed-data";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { runJob } from "../src/run-job";

/**
 * A backfill below the bulk threshold (sObject Collections batches): every
 * written record has its link, an open failure entry of a now-written record
 * is resolved, records without an entry are not resolved one by one, and
 * pages hold whole batches, so N records cost ⌈N / 200⌉ calls.
 */
describe("job: settling collection writes (Salesforce, 1,000 customers with an order each)", () => {
  let sandbox: Sandbox;
  let ids: string[];
  const n = 1_000;

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true });
    ids = await seedCustomers(sandbox.emulator, n, { ordersPerCustomer: 1 });
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

    const run = await runJob(sandbox.runtimes.job, { tasks: ["backfill"], entities: ["customer", "order"] });
    expect(run.outcome, run.detail).toBe("succeeded");
    expect(run.counts["backfill.customer.written"]).toBe(n);
    expect(run.counts["backfill.order.written"]).toBe(n);
    const collectionCalls = (object: string) => sandbox.salesforce.requests.filter((r) => r.path.includes(`/composite/sobjects/${object}/`)).length;
    expect([collectionCalls("Contact"), collectionCalls("CT_Order__c")]).toEqual([n / 200, n / 200]);

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
