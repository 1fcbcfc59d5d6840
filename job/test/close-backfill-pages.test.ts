import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCustomers } from "../../test/bench/seed-data";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { runJob } from "../src/run-job";

/**
 * Without a bulk path (Close) a backfill writes each page of people as it is
 * read and checkpoints after it: nothing is buffered across pages, so memory
 * stays at a page or two whatever N is.
 */
describe("job: Close backfill page by page (250 customers, pages of 100)", () => {
  let sandbox: Sandbox;
  const n = 250;

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", crm: "close", captureLogs: true });
    await seedCustomers(sandbox.emulator, n, { ordersPerCustomer: 0 });
  }, 60_000);
  afterAll(() => sandbox?.stop());

  it("checkpoints after every page and writes every customer once", async () => {
    const readAtCheckpoint: number[] = [];
    const run = await runJob(
      sandbox.runtimes.job,
      { tasks: ["backfill"], entities: ["customer"], pageSize: 100 },
      { onCheckpoint: (entity, _checkpoint, processed) => void (entity === "customer" && readAtCheckpoint.push(processed)) },
    );
    expect(run.outcome, run.detail).toBe("succeeded");
    expect(run.counts["backfill.customer.written"]).toBe(n);
    // Two pages are written at once, so a checkpoint may trail the reading by a page; there is one per page.
    expect(readAtCheckpoint).toHaveLength(3);
    expect(readAtCheckpoint.at(-1)).toBe(n);
    const key = [...sandbox.close.store.customFields.values()].find((f) => f.scope === "contact" && f.name === "ct_customer_id")!.id;
    const contacts = [...sandbox.close.store.contacts.values()].filter((c) => c.custom.has(key));
    expect(contacts).toHaveLength(n);
    expect(new Set(contacts.map((c) => c.custom.get(key))).size).toBe(n);
  }, 120_000);
});
