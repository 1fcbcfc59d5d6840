import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forwardedHeaders, startSessionIssuer, type SessionIssuer } from "../../test/support/mc-session";
import { seedCustomers } from "../../test/bench/seed-data";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { salesforceCall, soql } from "../../test/support/salesforce-reader";
import { postToJob } from "../../test/support/job-requests";

/**
 * Reconciliation after hand edits made through Salesforce's own API: it
 * reports exactly those edits, repairs them, and the report is readable
 * through the service API.
 */
describe("job: reconciliation after hand edits (Salesforce)", () => {
  let sandbox: Sandbox;
  let mc: SessionIssuer;
  let ids: string[];

  async function sf(method: string, path: string, body?: unknown) {
    const response = await salesforceCall(sandbox.urls.salesforce, method, path, body);
    expect(response.status, await response.clone().text()).toBeLessThan(300);
  }
  const job = async (body: unknown) => {
    const response = await postToJob(sandbox, body);
    return { status: response.status, body: (await response.json()) as { counts: Record<string, number> } };
  };
  const contactOf = async (id: string) => (await soql<{ Id: string; FirstName: string; LastName: string }>(sandbox.urls.salesforce, `SELECT Id, FirstName, LastName FROM Contact WHERE CT_Customer_Id__c = '${id}'`));

  beforeAll(async () => {
    mc = await startSessionIssuer();
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true, mcApiUrl: mc.issuer });
    ids = await seedCustomers(sandbox.emulator, 40, { ordersPerCustomer: 1 });
    const first = await job({ tasks: ["backfill"], entities: ["customer"] });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
    await mc?.close();
  });

  it("reports exactly the hand edits, repairs them, and serves the report", async () => {
    const [edited, deleted, missed] = [ids[3]!, ids[7]!, ids[11]!];
    // A commercetools-owned field changed in Salesforce.
    await sf("PATCH", `/sobjects/Contact/${(await contactOf(edited))[0]!.Id}`, { FirstName: "Hand-edited" });
    // A synced contact deleted in Salesforce.
    await sf("DELETE", `/sobjects/Contact/${(await contactOf(deleted))[0]!.Id}`);
    // A contact claiming a customer that does not exist.
    await sf("POST", `/sobjects/Contact`, { LastName: "Ghost", CT_Customer_Id__c: "no-such-customer" });
    // An update in commercetools the sync never saw (written straight into the emulator's storage).
    const project = sandbox.emulator.mock.project(sandbox.emulator.projectKey);
    const customer = (await project.get("customer", missed)) as unknown as Record<string, unknown>;
    await project.unsafeAdd("customer", { ...customer, version: 2, lastName: "Renamed" } as never);

    const run = await job({ tasks: ["reconcile"] });
    expect(run.status, JSON.stringify(run.body)).toBe(200);

    const path = "/api/reconciliation/latest";
    const token = mc.token({ audience: `${sandbox.urls.service}${path}`, projectKey: sandbox.emulator.projectKey, permissions: ["ViewCrmSync"] });
    const response = await fetch(`${sandbox.urls.service}${path}`, { headers: { authorization: `Bearer ${token}`, ...forwardedHeaders } });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { byEntity: { person: Record<string, number> }; items: { kind: string; entity: string; sourceId: string; fields?: string[] }[] };
    // People: the backfill wrote only customers, so the customers' orders are also missing (and written), counted apart.
    expect(report.byEntity.person).toMatchObject({
      commercetools: 40,
      crm: 39,
      inSync: 37,
      missing_in_crm: 1,
      stale_in_crm: 1,
      orphaned_in_crm: 1,
      ownership_violation: 1,
      // The orphan is reported, not deleted (RECONCILE_DELETE_ORPHANS is off): three repairs.
      repaired: 3,
      repairFailed: 0,
    });
    const byKind = Object.fromEntries(report.items.filter((i) => i.entity === "person").map((i) => [i.kind, i]));
    expect(byKind.ownership_violation).toMatchObject({ sourceId: edited, fields: ["FirstName"] });
    expect(byKind.missing_in_crm).toMatchObject({ sourceId: deleted });
    expect(byKind.orphaned_in_crm).toMatchObject({ sourceId: "no-such-customer" });
    expect(byKind.stale_in_crm).toMatchObject({ sourceId: missed, fields: ["LastName"] });

    // Repaired in Salesforce itself.
    expect((await contactOf(edited))[0]!.FirstName).toBe("First3");
    expect(await contactOf(deleted)).toHaveLength(1);
    expect(await contactOf("no-such-customer")).toHaveLength(1);
    expect((await contactOf(missed))[0]!.LastName).toBe("Renamed");

    const again = await job({ tasks: ["reconcile"], repair: false });
    // A second reconciliation finds only the orphan it left in place.
    expect(again.body.counts).toMatchObject({
      "reconcile.person.inSync": 40,
      "reconcile.person.missing_in_crm": 0,
      "reconcile.person.stale_in_crm": 0,
      "reconcile.person.orphaned_in_crm": 1,
      "reconcile.person.ownership_violation": 0,
      // The orders the first pass wrote are in sync now.
      "reconcile.order.inSync": 40,
      "reconcile.order.missing_in_crm": 0,
    });
  }, 60_000);
});
