import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseMappingConfig, mappingConfigSchema } from "@ct-crm-sync/core/domain/mapping-config";
import { createCustomer, seedProjectSetup } from "../../test/sandbox/seed";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { salesforceCall, soql } from "../../test/support/salesforce-reader";
import { until } from "../../test/support/until";
import { postToJob } from "../../test/support/job-requests";

type Contact = { Id: string; FirstName: string; Title: string | null; Description: string | null; HasOptedOutOfEmail: boolean };

/**
 * Reconciliation repairs go through the one write path: the mapping
 * configuration is applied (a commercetools-owned mapped field is restored,
 * a CRM-owned one is left as the CRM has it) and consent keeps the newest
 * event, exactly as a live sync would write the person.
 */
describe("job: reconciliation repairs through the sync model (Salesforce)", () => {
  let sandbox: Sandbox;
  let customerId: string;
  const contact = async () =>
    (await soql<Contact>(sandbox.urls.salesforce, `SELECT Id, FirstName, Title, Description, HasOptedOutOfEmail FROM Contact WHERE CT_Customer_Id__c = '${customerId}'`))[0];
  const job = async (body: unknown) => {
    const response = await postToJob(sandbox, body);
    return { status: response.status, body: (await response.json()) as { counts: Record<string, number> } };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true });
    await seedProjectSetup(sandbox.api);
    const config = mappingConfigSchema.parse({
      ...baseMappingConfig("salesforce"),
      entities: {
        person: {
          fields: [
            { source: "firstName", target: "Title", transform: [{ type: "normalise", as: "upper" }], owner: "commercetools" },
            { source: "lastName", target: "Description", owner: "crm" },
          ],
        },
        company: { fields: [] },
        order: { fields: [] },
      },
      consent: { email: { target: "HasOptedOutOfEmail", invert: true } },
    });
    for (const runtime of Object.values(sandbox.runtimes)) await runtime.mappings.save(config, "test");
    customerId = await createCustomer(sandbox.api, { email: "nora.owner@example.com", firstName: "Nora", lastName: "Owner", store: "berlin", country: "DE", consent: true });
    await until(async () => ((await contact())?.Title === "NORA" ? true : undefined));
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("restores commercetools-owned fields, leaves CRM-owned ones, and applies a consent withdrawal it missed", async () => {
    const before = (await contact())!;
    expect(before).toMatchObject({ FirstName: "Nora", Title: "NORA", Description: null, HasOptedOutOfEmail: false });

    // Hand edits in Salesforce: two commercetools-owned fields and the CRM-owned one.
    const edit = await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Contact/${before.Id}`, { FirstName: "Hand", Title: "Hand-edited", Description: "Prefers phone calls" });
    expect(edit.status).toBeLessThan(300);
    // A consent withdrawal the sync never saw (written straight into the emulator's storage).
    const project = sandbox.emulator.mock.project(sandbox.emulator.projectKey);
    const customer = (await project.get("customer", customerId)) as unknown as { version: number; custom: { fields: Record<string, unknown> } };
    await project.unsafeAdd("customer", {
      ...customer,
      version: customer.version + 1,
      custom: { ...customer.custom, fields: { ...customer.custom.fields, emailMarketingConsent: false, emailMarketingConsentAt: "2026-11-20T09:00:00.000Z" } },
    } as never);

    const run = await job({ tasks: ["reconcile"] });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.counts).toMatchObject({ "reconcile.person.repaired": 1, "reconcile.person.repairFailed": 0 });

    expect(await contact()).toMatchObject({ FirstName: "Nora", Title: "NORA", Description: "Prefers phone calls", HasOptedOutOfEmail: true });
    // The link now records what the repair wrote: the next comparison finds nothing to do.
    const link = await sandbox.runtimes.job.links.get("person", customerId);
    expect(link?.value.written).toMatchObject({ firstName: "Nora", extra: { Title: "NORA", HasOptedOutOfEmail: true } });
    expect(link?.value.written.extra).not.toHaveProperty("Description");
    const again = await job({ tasks: ["reconcile"], repair: false });
    expect(again.body.counts).toMatchObject({ "reconcile.person.inSync": 1, "reconcile.person.ownership_violation": 0, "reconcile.person.stale_in_crm": 0 });
  }, 60_000);
});
