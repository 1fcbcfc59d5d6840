import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Customer } from "@commercetools/platform-sdk";
import { z } from "zod";
import { runJob } from "../../job/src/run-job";
import { installInbound } from "../../service/src/connector/install";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { salesforceCall, soql } from "../support/salesforce-reader";
import { until } from "../support/until";
import { settledWithSalesforce } from "../support/settled";

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

  const settled = () => settledWithSalesforce(sandbox);

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

  it("turns an opportunity with products reaching a configured stage into one draft cart, kept to its products while it is a cart", async () => {
    const { id, contactId } = await syncedCustomer("quote@example.com");
    const service = sandbox.runtimes.service;
    const config = await service.mappings.config();
    await service.mappings.save({ ...config, inbound: { ...config.inbound, carts: { stages: ["Closed Won"], currency: "EUR" } } });
    const { body: productType } = await sandbox.api.productTypes().post({ body: { key: "quote-gear", name: "Quote gear", description: "e2e" } }).execute();
    for (const sku of ["QUOTE-1", "QUOTE-2"]) {
      const price = { value: { type: "centPrecision" as const, currencyCode: "EUR", centAmount: 1000, fractionDigits: 2 } };
      const draft = { key: sku.toLowerCase(), productType: { typeId: "product-type" as const, id: productType.id }, name: { en: sku }, slug: { en: sku.toLowerCase() }, masterVariant: { sku, prices: [price] }, publish: true };
      await sandbox.api.products().post({ body: draft }).execute();
    }
    const created = async (object: string, fields: Record<string, unknown>) => z.object({ id: z.string() }).parse(await (await salesforceCall(sandbox.urls.salesforce, "POST", `/sobjects/${object}`, fields)).json()).id;
    const dealId = await created("Opportunity", { Name: "Quote", StageName: "Negotiation/Review", CloseDate: "2026-12-31", ContactId: contactId });
    await created("OpportunityLineItem", { OpportunityId: dealId, ProductCode: "QUOTE-1", Quantity: 2, UnitPrice: 10 });
    await settled();
    const key = `crm-salesforce-${dealId}`;
    const cartByKey = async () => (await sandbox.api.carts().get({ queryArgs: { where: `key = "${key}"` } }).execute()).body.results;
    expect(await cartByKey()).toEqual([]);

    await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Opportunity/${dealId}`, { StageName: "Closed Won" });
    await settled();
    const [cart] = await until(async () => ((await cartByKey()).length ? await cartByKey() : undefined));
    expect(cart).toMatchObject({ customerId: id, cartState: "Active", totalPrice: { currencyCode: "EUR" } });
    expect(cart!.lineItems.map((l) => [l.variant.sku, l.quantity])).toEqual([["QUOTE-1", 2]]);

    await created("OpportunityLineItem", { OpportunityId: dealId, ProductCode: "QUOTE-2", Quantity: 1, UnitPrice: 10 });
    await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Opportunity/${dealId}`, { Amount: 30 });
    await settled();
    const carts = await cartByKey();
    expect(carts).toHaveLength(1);
    expect(carts[0]!.lineItems.map((l) => [l.variant.sku, l.quantity]).sort()).toEqual([["QUOTE-1", 2], ["QUOTE-2", 1]]);
  });

  it("creates a customer (ExternalAuth) for a contact born in Salesforce when configured to, and keeps one contact for it", async () => {
    const service = sandbox.runtimes.service;
    const config = await service.mappings.config();
    await service.mappings.save({ ...config, inbound: { ...config.inbound, unknownPeople: "create" } });
    try {
      const created = await salesforceCall(sandbox.urls.salesforce, "POST", "/sobjects/Contact", { FirstName: "Nora", LastName: "New", Email: "nora.new@example.com" });
      const contactId = z.object({ id: z.string() }).parse(await created.json()).id;
      await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Contact/${contactId}`, { CT_Follow_Up__c: true });
      const found = await until(async () => (await sandbox.api.customers().get({ queryArgs: { where: 'email = "nora.new@example.com"' } }).execute()).body.results[0]);
      expect(found).toMatchObject({ authenticationMode: "ExternalAuth", firstName: "Nora", lastName: "New", key: `crm-salesforce-${contactId}` });
      await settled();
      expect((await customer(found.id)).custom?.fields.crmFollowUp).toBe(true);
      const contacts = await soql<{ Id: string; CT_Customer_Id__c: string }>(sandbox.urls.salesforce, "SELECT Id, CT_Customer_Id__c FROM Contact WHERE Email = 'nora.new@example.com'");
      expect(contacts).toEqual([expect.objectContaining({ Id: contactId, CT_Customer_Id__c: found.id })]);
    } finally {
      await service.mappings.save(config);
    }
  });

  it("leaves a customer made for a Salesforce contact to the inbound side until it has marked the contact: no second contact", async () => {
    // What the inbound side does first for a contact born in Salesforce: the customer, keyed by the contact, before its link.
    const contactId = "003ADOPTING000001";
    const { body } = await sandbox.api
      .customers()
      .post({ body: { key: `crm-salesforce-${contactId}`, email: "ada.adopting@example.com", lastName: "Adopting", authenticationMode: "ExternalAuth" } })
      .execute();
    await settled();
    // Upserted on the new customer's ID now, it would be a contact beside the one it came from.
    expect(await soql(sandbox.urls.salesforce, `SELECT Id FROM Contact WHERE CT_Customer_Id__c = '${body.customer.id}'`)).toEqual([]);
  });

  it("puts an account attribute the configuration gives Salesforce onto the business unit's custom field, without writing the account back", async () => {
    const service = sandbox.runtimes.service;
    const config = await service.mappings.config();
    await service.mappings.save({ ...config, entities: { ...config.entities, company: { fields: [{ source: "custom.crmRegion", target: "Description", transform: [], owner: "crm" }] } } });
    try {
      // A redeploy's postDeploy adds the field the configuration now names to the business units' type.
      await installInbound(service, sandbox.urls.service);
      const { body: unit } = await sandbox.api.businessUnits().post({ body: { key: "northwind", name: "Northwind", unitType: "Company" } }).execute();
      const account = await until(async () => (await soql<{ Id: string }>(sandbox.urls.salesforce, `SELECT Id FROM Account WHERE CT_Business_Unit_Id__c = '${unit.id}'`))[0]);
      await settled();
      const writesBefore = crmWrites();
      expect((await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Account/${account.Id}`, { Description: "North" })).status).toBe(204);
      const updated = await until(async () => {
        const { body } = await sandbox.api.businessUnits().withId({ ID: unit.id }).get().execute();
        return body.custom?.fields.crmRegion === "North" ? body : undefined;
      }, 5_000);
      await settled();
      expect((await sandbox.api.businessUnits().withId({ ID: unit.id }).get().execute()).body.version).toBe(updated.version);
      expect(crmWrites()).toBe(writesBefore + 1);
    } finally {
      await service.mappings.save(config);
    }
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
