import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Customer } from "@commercetools/platform-sdk";
import { runJob } from "../../job/src/run-job";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { salesforceCall, soql } from "../support/salesforce-reader";
import { until } from "../support/until";

type ContactRow = { Id: string; SystemModstamp: string; FirstName: string | null };

/**
 * The CRM → commercetools direction through the whole sandbox with
 * Salesforce: the org sends Outbound Messages for Contact, Account and
 * Opportunity to the service (as an admin sets them up), the service applies
 * them to the emulator.
 */
describe("Salesforce → commercetools in the sandbox", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ crm: "salesforce", ports: "ephemeral", seed: false, captureLogs: true });
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  /** Every message on its way, both ways, delivered and handled. */
  async function settled() {
    for (let round = 0; round < 3; round++) {
      await sandbox.relay.drained();
      await sandbox.salesforce.outboundMessages.drained();
    }
  }

  const customer = async (id: string): Promise<Customer> => (await sandbox.api.customers().withId({ ID: id }).get().execute()).body;
  const contactOf = async (customerId: string) => (await soql<ContactRow>(sandbox.urls.salesforce, `SELECT Id, SystemModstamp, FirstName FROM Contact WHERE CT_Customer_Id__c = '${customerId}'`))[0];
  const crmWrites = () => sandbox.salesforce.requests.filter((r) => r.method !== "GET" && r.path.includes("/services/data")).length;

  async function syncedCustomer(email: string): Promise<{ id: string; contactId: string }> {
    const { body } = await sandbox.api.customers().post({ body: { email, firstName: "Sally", lastName: "Sales", password: "x" } }).execute();
    const contact = await until(() => contactOf(body.customer.id));
    await settled();
    return { id: body.customer.id, contactId: contact.Id };
  }

  it("puts a follow-up flag and a segment set on the contact onto the customer within seconds, and writes nothing back to Salesforce", async () => {
    const { id, contactId } = await syncedCustomer("follow.up@example.com");
    const before = await customer(id);
    const writesBefore = crmWrites();

    const started = Date.now();
    expect((await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Contact/${contactId}`, { CT_Follow_Up__c: true, CT_Segments__c: "VIP;Newsletter" })).status).toBe(204);
    const changed = await until(async () => {
      const now = await customer(id);
      return now.custom?.fields.crmFollowUp === true ? now : undefined;
    }, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([...(changed.custom?.fields.crmSegments as string[])].sort()).toEqual(["Newsletter", "VIP"]);
    const stamp = (await contactOf(id))!.SystemModstamp;

    await settled();
    // One commercetools update for one CRM change; its echo (the customer's message to the event app) writes nothing to the org.
    expect((await customer(id)).version).toBe(before.version + 1);
    expect(crmWrites()).toBe(writesBefore + 1);
    expect((await contactOf(id))!.SystemModstamp).toBe(stamp);
  });

  it("leaves a first name changed in Salesforce (commercetools owns it) on the customer as it was", async () => {
    const { id, contactId } = await syncedCustomer("first.name@example.com");
    const before = await customer(id);
    expect((await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Contact/${contactId}`, { FirstName: "Changed" })).status).toBe(204);
    await settled();
    const after = await customer(id);
    expect(after.firstName).toBe("Sally");
    expect(after.version).toBe(before.version);
    const decision = sandbox.logs!.entries.find((e) => e.message === "field decision" && e.meta.sourceId === id && e.meta.field === "firstName");
    expect(decision?.meta).toMatchObject({ direction: "crm-to-ct", winner: "commercetools" });
  });

  it("gives a change in commercetools exactly one Salesforce write and no commercetools write after it", async () => {
    const { id } = await syncedCustomer("ct.change@example.com");
    const before = await customer(id);
    const writesBefore = crmWrites();
    await sandbox.api.customers().withId({ ID: id }).post({ body: { version: before.version, actions: [{ action: "setLastName", lastName: "Renamed" }] } }).execute();
    await until(async () => ((await soql<{ LastName: string }>(sandbox.urls.salesforce, `SELECT LastName FROM Contact WHERE CT_Customer_Id__c = '${id}'`))[0]?.LastName === "Renamed" ? true : undefined));
    await settled();
    expect(crmWrites()).toBe(writesBefore + 1);
    expect((await customer(id)).version).toBe(before.version + 1);
  });

  it("polls what a paused Outbound Message missed, and the late delivery changes nothing more", async () => {
    const { id, contactId } = await syncedCustomer("polled@example.com");
    const runPoll = async () => (await runJob(sandbox.runtimes.job, { tasks: ["poll"] })).counts;
    await runPoll(); // the first run marks where polling starts
    const before = await customer(id);
    sandbox.salesforce.outboundMessages.configure({ paused: true });
    try {
      await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Contact/${contactId}`, { CT_Segments__c: "Wholesale" });
      const counts = await runPoll();
      expect(counts["poll.written"]).toBe(1);
      expect((await customer(id)).custom?.fields.crmSegments).toEqual(["Wholesale"]);
    } finally {
      sandbox.salesforce.outboundMessages.configure({ paused: false });
    }
    await settled();
    expect((await customer(id)).version).toBe(before.version + 1);
  });

  it("refuses an Outbound Message without the shared secret, or from another org, with 401 and changes nothing", async () => {
    const { id, contactId } = await syncedCustomer("forged@example.com");
    const before = await customer(id);
    const message = (org: string) =>
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${org}</OrganizationId><ActionId>04k5g000000TestAAA</ActionId>` +
      `<Notification><Id>04l5g000000Forg1AAA</Id><sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>${contactId}</sf:Id></sObject></Notification>` +
      "</notifications></soapenv:Body></soapenv:Envelope>";
    const post = (query: string, body: string) => fetch(`${sandbox.urls.service}/webhooks/salesforce${query}`, { method: "POST", headers: { "content-type": "text/xml" }, body });
    await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Contact/${contactId}`, { CT_Follow_Up__c: true });
    // Paused deliveries: only the forged requests below reach the service.
    sandbox.salesforce.outboundMessages.configure({ paused: true });
    try {
      expect((await post("?secret=wrong", message(sandbox.env.SALESFORCE_ORGANIZATION_ID!))).status).toBe(401);
      expect((await post("", message(sandbox.env.SALESFORCE_ORGANIZATION_ID!))).status).toBe(401);
      expect((await post(`?secret=${sandbox.env.SALESFORCE_OUTBOUND_SECRET}`, message("00D000000000001AAA"))).status).toBe(401);
      expect((await customer(id)).version).toBe(before.version);
    } finally {
      sandbox.salesforce.outboundMessages.configure({ paused: false });
    }
    await settled();
    expect((await customer(id)).custom?.fields.crmFollowUp).toBe(true);
  });

  it("refuses an oversized body with 413 before reading it, and keeps an authentic message it cannot read for review, acknowledged", async () => {
    const secret = `?secret=${sandbox.env.SALESFORCE_OUTBOUND_SECRET}`;
    const big = await fetch(`${sandbox.urls.service}/webhooks/salesforce${secret}`, { method: "POST", headers: { "content-type": "text/xml" }, body: "x".repeat(3 * 1024 * 1024) });
    expect(big.status).toBe(413);
    const garbled = await fetch(`${sandbox.urls.service}/webhooks/salesforce${secret}`, { method: "POST", headers: { "content-type": "text/xml" }, body: "<not-soap" });
    expect(garbled.status).toBe(200);
    expect(await garbled.text()).toContain("<Ack>true</Ack>");
    const kept = await sandbox.runtimes.service.failures.list({ entity: "delivery" });
    expect(kept.items).toEqual([expect.objectContaining({ direction: "crm-to-ct", errorClass: "validation", state: "open" })]);
  });
});
