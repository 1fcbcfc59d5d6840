import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseMappingConfig, mappingConfigSchema } from "@ct-crm-sync/core/domain/mapping-config";
import type { ReconciliationReportAnswer } from "@ct-crm-sync/core/api/reconciliation";
import { seedCustomers } from "../../test/bench/seed-data";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { seedProjectSetup } from "../../test/sandbox/seed";
import { postToJob } from "../../test/support/job-requests";
import { contactFields } from "@ct-crm-sync/core/crm/close/field-names";
import { closeReader } from "../../test/support/close-reader";
import { salesforceCall, soql } from "../../test/support/salesforce-reader";
import { until } from "../../test/support/until";
import { forwardedHeaders, startSessionIssuer, type SessionIssuer } from "../../test/support/mc-session";

type Contact = { Id: string; FirstName: string; LastName: string; Description: string | null };

/** Connect's cron: `POST /` with no body and no credential. */
async function scheduledRun(sandbox: Sandbox) {
  const response = await fetch(sandbox.urls.job, { method: "POST" });
  return { status: response.status, body: (await response.json()) as { counts: Record<string, number>; detail?: string } };
}

const contactsOf = (sandbox: Sandbox, customerId: string) =>
  soql<Contact>(sandbox.urls.salesforce, `SELECT Id, FirstName, LastName, Description FROM Contact WHERE CT_Customer_Id__c = '${customerId}'`);

async function sf(sandbox: Sandbox, method: string, path: string, body?: unknown) {
  const response = await salesforceCall(sandbox.urls.salesforce, method, path, body);
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return response;
}

/** A customer deleted in commercetools (the Salesforce contact stays behind: an orphan). */
async function deleteCustomer(sandbox: Sandbox, id: string) {
  const customer = await sandbox.api.customers().withId({ ID: id }).get().execute();
  await sandbox.api.customers().withId({ ID: id }).delete({ queryArgs: { version: customer.body.version } }).execute();
}

/**
 * Rolling reconciliation through the sandbox: the scheduled run (no body, as
 * Connect's cron calls it) compares its slice and repairs drift made through
 * Salesforce's own API, within the mapping configuration's ownership rules.
 */
describe("job: a scheduled run reconciles on its own (Salesforce)", () => {
  let sandbox: Sandbox;
  let mc: SessionIssuer;
  let ids: string[];

  const report = async (which: "latest" | "current") => {
    const path = `/api/reconciliation/${which}`;
    const token = mc.token({ audience: `${sandbox.urls.service}${path}`, projectKey: sandbox.emulator.projectKey, permissions: ["ViewCrmSync"] });
    const response = await fetch(`${sandbox.urls.service}${path}`, { headers: { authorization: `Bearer ${token}`, ...forwardedHeaders } });
    expect(response.status).toBe(200);
    return (await response.json()) as ReconciliationReportAnswer;
  };

  beforeAll(async () => {
    mc = await startSessionIssuer();
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true, mcApiUrl: mc.issuer });
    await seedProjectSetup(sandbox.api);
    // Sales owns the contact's Description; commercetools owns the names.
    const config = mappingConfigSchema.parse({
      ...baseMappingConfig("salesforce"),
      entities: { person: { fields: [{ source: "lastName", target: "Description", owner: "crm" }] }, company: { fields: [] }, order: { fields: [] } },
    });
    for (const runtime of Object.values(sandbox.runtimes)) await runtime.mappings.save(config, "test");
    ids = await seedCustomers(sandbox.emulator, 12, { ordersPerCustomer: 1 });
    // The first scheduled run: the delta sync writes everything, its slice finds everything in sync.
    const first = await scheduledRun(sandbox);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.counts).toMatchObject({ "rollingReconcile.passCompleted": 1, "rollingReconcile.drifted": 0 });
  }, 90_000);
  afterAll(async () => {
    await sandbox?.stop();
    await mc?.close();
  });

  it("restores a hand-deleted and a hand-edited contact in one scheduled run, keeps Sales' own field, reports an orphan without deleting it", async () => {
    const [deleted, edited, gone] = [ids[2]!, ids[5]!, ids[9]!];
    await sf(sandbox, "DELETE", `/sobjects/Contact/${(await contactsOf(sandbox, deleted))[0]!.Id}`);
    await sf(sandbox, "PATCH", `/sobjects/Contact/${(await contactsOf(sandbox, edited))[0]!.Id}`, { FirstName: "Hand-edited", Description: "Prefers phone calls" });
    await deleteCustomer(sandbox, gone);

    const run = await scheduledRun(sandbox);
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.counts).toMatchObject({ "rollingReconcile.passCompleted": 1 });

    // Restored in Salesforce, read through its own API.
    expect(await contactsOf(sandbox, deleted)).toHaveLength(1);
    const [restored] = await contactsOf(sandbox, edited);
    expect(restored).toMatchObject({ FirstName: "First5", Description: "Prefers phone calls" });
    // The orphan is reported and left in place (RECONCILE_DELETE_ORPHANS is off).
    expect(await contactsOf(sandbox, gone)).toHaveLength(1);

    const latest = await report("latest");
    expect(latest.pass).toMatchObject({ compared: { person: { done: 11, total: 11 } }, crmListingDone: true, periodAtRisk: false });
    expect(latest.deleteOrphans).toBe(false);
    const items = Object.fromEntries(latest.items.map((i) => [`${i.kind}:${i.sourceId}`, i]));
    expect(items[`missing_in_crm:${deleted}`]).toMatchObject({ entity: "person", repaired: true });
    expect(items[`ownership_violation:${edited}`]).toMatchObject({ entity: "person", fields: ["FirstName"], repaired: true });
    expect(items[`orphaned_in_crm:${gone}`]).toMatchObject({ entity: "person", repaired: false });
    expect(latest.byEntity?.person).toMatchObject({ missing_in_crm: 1, ownership_violation: 1, orphaned_in_crm: 1, repaired: 2, repairFailed: 0 });
    expect(latest.byEntity?.order).toMatchObject({ commercetools: 12, missing_in_crm: 0, stale_in_crm: 0 });

    // The next scheduled run finds only the orphan it left.
    const again = await scheduledRun(sandbox);
    expect(again.body.counts).toMatchObject({ "rollingReconcile.passCompleted": 1, "rollingReconcile.drifted": 1, "rollingReconcile.repaired": 0 });
  }, 60_000);
});

describe("job: a population bigger than one slice, orphans deleted when configured (Salesforce)", () => {
  let sandbox: Sandbox;
  let ids: string[];

  beforeAll(async () => {
    sandbox = await startSandbox({
      ports: "ephemeral",
      crm: "salesforce",
      captureLogs: true,
      // Everything is due at every run (the sandbox's period), and the share of the CRM is too small for more than
      // the one page every run takes: 100 records a run, whatever the time between runs.
      env: { RECONCILE_CRM_SHARE: "0.0001", RECONCILE_DELETE_ORPHANS: "true" },
    });
    await seedProjectSetup(sandbox.api);
    ids = await seedCustomers(sandbox.emulator, 250);
    // Everyone written first (the delta sync's first run is a backfill), without a reconciliation slice yet.
    const first = await postToJob(sandbox, { tasks: ["delta"] });
    expect(first.status, await first.clone().text()).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("compares everyone over several runs, keeping its position, and deletes the orphan at the pass's end", async () => {
    const gone = ids[200]!;
    await deleteCustomer(sandbox, gone);
    const edited = ids[240]!;
    await sf(sandbox, "PATCH", `/sobjects/Contact/${(await contactsOf(sandbox, edited))[0]!.Id}`, { LastName: "Hand-edited" });

    const progress: number[] = [];
    let completed = false;
    for (let run = 0; run < 6 && !completed; run++) {
      const result = await scheduledRun(sandbox);
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      completed = result.body.counts["rollingReconcile.passCompleted"] === 1;
      const rolling = await sandbox.runtimes.job.reconciliations.rolling();
      progress.push(rolling!.value.report.pass.compared.person.done);
    }
    expect(completed).toBe(true);
    // 100 a run: the position was kept between runs (249 people left, then the orphan search's one listing page).
    expect(progress).toEqual([100, 200, 249]);

    const latest = (await sandbox.runtimes.job.reconciliations.latest())!;
    expect(latest.pass).toMatchObject({ slices: 3, periodAtRisk: true, compared: { person: { done: 249, total: 249 } }, crmListingDone: true });
    expect(latest.counts).toMatchObject({ commercetools: 249, orphaned_in_crm: 1, ownership_violation: 1, repaired: 2, repairFailed: 0 });
    expect(latest.items.find((i) => i.kind === "orphaned_in_crm")).toMatchObject({ sourceId: gone, repaired: true });
    expect(await contactsOf(sandbox, gone)).toHaveLength(0);
    expect((await contactsOf(sandbox, edited))[0]!.LastName).toBe("Last240");
    const warned = sandbox.logs!.entries.filter((e) => e.message.startsWith("rolling reconciliation cannot compare the whole population"));
    expect(warned.length).toBeGreaterThan(0);
  }, 90_000);
});

describe("job: a scheduled run reconciles on its own (Close)", () => {
  let sandbox: Sandbox;
  let ids: string[];
  let close: ReturnType<typeof closeReader>;
  let customerField: string;

  const contactsOf = (customerId: string) => close.searchByCustomField("contact", customerField, customerId, ["name"]);
  async function closeCall(method: "PUT" | "DELETE", path: string, body?: unknown) {
    const response = await fetch(`${sandbox.urls.closeApi}${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${sandbox.close.apiKey}:`).toString("base64")}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", crm: "close", captureLogs: true });
    await seedProjectSetup(sandbox.api);
    ids = await seedCustomers(sandbox.emulator, 6, { ordersPerCustomer: 1 });
    const first = await scheduledRun(sandbox);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.counts).toMatchObject({ "rollingReconcile.passCompleted": 1, "rollingReconcile.drifted": 0 });
    close = closeReader(sandbox.urls.closeApi, sandbox.close.apiKey);
    customerField = (await close.fieldId("/custom_field/contact/", contactFields.customerId.name))!;
  }, 90_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("restores a hand-deleted and a hand-renamed contact in one scheduled run", async () => {
    const [deleted, edited] = [ids[1]!, ids[3]!];
    await closeCall("DELETE", `/contact/${(await contactsOf(deleted))[0]!.id}/`);
    await closeCall("PUT", `/contact/${(await contactsOf(edited))[0]!.id}/`, { name: "Hand Edited" });
    expect(await contactsOf(deleted)).toHaveLength(0);

    const run = await scheduledRun(sandbox);
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.counts).toMatchObject({ "rollingReconcile.passCompleted": 1, "rollingReconcile.drifted": 2, "rollingReconcile.repaired": 2 });

    expect(await contactsOf(deleted)).toHaveLength(1);
    expect((await contactsOf(edited))[0]).toMatchObject({ name: "First3 Last3" });
    const latest = (await sandbox.runtimes.job.reconciliations.latest())!;
    const items = Object.fromEntries(latest.items.map((i) => [`${i.kind}:${i.sourceId}`, i]));
    expect(items[`missing_in_crm:${deleted}`]).toMatchObject({ entity: "person", repaired: true });
    expect(items[`ownership_violation:${edited}`]).toMatchObject({ entity: "person", fields: ["name"], repaired: true });
  }, 60_000);
});

describe("sandbox: the cron stand-in's scheduled runs bring a deleted contact back (Salesforce)", () => {
  let sandbox: Sandbox;
  let ids: string[];

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true, scheduleEveryMs: 500 });
    await seedProjectSetup(sandbox.api);
    ids = await seedCustomers(sandbox.emulator, 3);
    await until(async () => ((await contactsOf(sandbox, ids[0]!)).length === 1 ? true : undefined), 30_000);
  }, 90_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("restores a contact deleted through Salesforce's API with no request from anyone", async () => {
    await sf(sandbox, "DELETE", `/sobjects/Contact/${(await contactsOf(sandbox, ids[0]!))[0]!.Id}`);
    const back = await until(async () => {
      const contacts = await contactsOf(sandbox, ids[0]!);
      return contacts.length > 0 ? contacts : undefined;
    }, 30_000);
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ FirstName: "First0", LastName: "Last0" });
  }, 60_000);
});
