import { redeliveries } from "../support/redeliveries";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import { createCustomer, importOrder } from "../sandbox/seed";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { dataverseReader, type DataverseReader } from "../simulators/dynamics/reader";
import { until } from "../support/until";

/**
 * `CRM=dynamics npm start`, as a test: commercetools changes reach the
 * Dataverse simulator through the Pub/Sub push path and are read back with
 * the Web API's own queries; a change a salesperson makes through the Web API
 * reaches the customer through the webhook step the sandbox registers (as the
 * connector README tells an admin to).
 */
describe("sandbox: commercetools ⇄ Dynamics 365", () => {
  let sandbox: Sandbox;
  let org: DataverseReader;

  /** `GET /api/data/v9.2/contacts?$filter=ct_customerid eq '<id>'`, as the issue reads a customer back. */
  const contactsOf = (customerId: string) => org.all(`/contacts?$select=contactid,firstname,lastname,emailaddress1,donotbulkemail,_parentcustomerid_value,ct_roles,modifiedon&$filter=ct_customerid eq '${customerId}'`);
  const accountsOf = (unitId: string) => org.all(`/accounts?$select=accountid,name,_parentaccountid_value,ct_unittype&$filter=ct_businessunitid eq '${unitId}'`);
  const ordersOf = (orderId: string) => org.all(`/ct_orders?$select=ct_commerceorderid,ct_ordernumber,ct_total,ct_currency,_ct_contactid_value,_ct_accountid_value&$filter=ct_orderid eq '${orderId}'`);

  beforeAll(async () => {
    sandbox = await startSandbox({ crm: "dynamics", ports: "ephemeral", seed: true, captureLogs: true });
    // A salesperson's tools: an app registration of their own, so their writes are not the connector's.
    org = dataverseReader(sandbox.urls.dynamics, { tenant: sandbox.dynamics.tenant, clientId: "sandbox-sales", clientSecret: "sales-secret" });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("syncs the seed: the company and its division as two accounts, the division under the company, associates on it, orders once in ct_orders", async () => {
    const seeded = sandbox.seeded!;
    const [acme] = await accountsOf(seeded.businessUnits.acme!);
    const east = await accountsOf(seeded.businessUnits.acmeEast!);
    expect(east).toHaveLength(1);
    expect(east[0]).toMatchObject({ name: "ACME East", ct_unittype: "Division", _parentaccountid_value: acme!.accountid });
    expect(acme!._parentaccountid_value).toBeNull();
    const [alice] = await contactsOf(seeded.customers.alice!);
    expect(alice).toMatchObject({ _parentcustomerid_value: east[0]!.accountid, ct_roles: "buyer" });

    const jane = await contactsOf(seeded.customers.jane!);
    expect(jane).toHaveLength(1);
    expect(jane[0]).toMatchObject({ emailaddress1: "jane.doe@example.com", firstname: "Jane" });
    const janeOrders = await ordersOf(seeded.orders.jane!);
    expect(janeOrders).toHaveLength(1);
    expect(janeOrders[0]).toMatchObject({ ct_ordernumber: "SB-1001", ct_currency: "EUR", _ct_contactid_value: jane[0]!.contactid });
    expect((await ordersOf(seeded.orders.acme!))[0]).toMatchObject({ _ct_contactid_value: alice!.contactid, _ct_accountid_value: east[0]!.accountid });

    // The ambiguous email: the guest order waits for review instead of landing on either Sam.
    expect(await ordersOf(seeded.orders.ambiguousGuest!)).toHaveLength(0);
    const review = await sandbox.runtimes.service.failures.get(failureKey("sandbox", "ct-to-crm", "order", seeded.orders.ambiguousGuest!));
    expect(review).toMatchObject({ errorClass: "ambiguous_match", state: "open" });
  });

  it("shows a customer created in commercetools as one contact, and its order as one ct_orders row", async () => {
    const customerId = await createCustomer(sandbox.api, { email: "dyn.buyer@example.com", firstName: "Dana", lastName: "Dataverse", store: "berlin", country: "DE" });
    const orderId = await importOrder(sandbox.api, { orderNumber: "SB-4001", customerId, email: "dyn.buyer@example.com", store: "berlin", currency: "EUR", lines: [{ sku: "CUP-ESP", name: "Espresso cup", quantity: 2, cents: 1000 }] });
    const [row] = await until(async () => {
      const rows = await ordersOf(orderId);
      return rows.length > 0 ? rows : undefined;
    });
    const contacts = await contactsOf(customerId);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ firstname: "Dana", lastname: "Dataverse", emailaddress1: "dyn.buyer@example.com" });
    expect(row).toMatchObject({ ct_ordernumber: "SB-4001", ct_total: 20, _ct_contactid_value: contacts[0]!.contactid });
  });

  describe("repeated deliveries", () => {
    const { newCustomerWithOrder, tenAtOnce, tenInARow } = redeliveries(() => sandbox);

    it("leaves one contact and one order row when the same messages arrive ten times in a row", async () => {
      const record = await newCustomerWithOrder("dyn-ten-in-a-row");
      for (const status of await tenInARow(record)) expect(status).toBe(204);
      expect(await contactsOf(record.customerId)).toHaveLength(1);
      expect(await ordersOf(record.orderId)).toHaveLength(1);
    });

    it("leaves one contact and one order row when ten deliveries of each arrive at once", async () => {
      const record = await newCustomerWithOrder("dyn-ten-at-once");
      expect((await tenAtOnce(record)).every((s) => s === 204)).toBe(true);
      const contacts = await contactsOf(record.customerId);
      expect(contacts).toHaveLength(1);
      const rows = await ordersOf(record.orderId);
      expect(rows).toHaveLength(1);
      expect(rows[0]!._ct_contactid_value).toBe(contacts[0]!.contactid);
    });
  });

  describe("Dynamics 365 → commercetools", () => {
    const customerOf = async (id: string) => (await sandbox.api.customers().withId({ ID: id }).get().execute()).body;

    it("sets crmFollowUp and crmSegments on the customer when sales flag the contact through the Web API; the contact is not written back", async () => {
      const customerId = sandbox.seeded!.customers.john!;
      const [contact] = await contactsOf(customerId);
      const patch = await org.request("PATCH", `/contacts(${String(contact!.contactid)})`, { ct_followup: true, ct_segments: "key account" });
      expect(patch.status).toBe(204);
      const etagOf = async () => (await org.all(`/contacts?$select=ct_followup&$filter=contactid eq ${String(contact!.contactid)}`))[0]!["@odata.etag"];
      const written = await etagOf();
      const customer = await until(async () => {
        const now = await customerOf(customerId);
        return now.custom?.fields.crmFollowUp === true ? now : undefined;
      });
      expect(customer.custom?.fields.crmSegments).toEqual(["key account"]);
      // The customer's update comes back as a commercetools message; it must not write the contact again (its row version stays).
      await sandbox.relay.drained();
      await sandbox.dynamics.webhooks.drained();
      expect(await etagOf()).toBe(written);
      // commercetools owns the first name: one changed in Dynamics does not reach the customer.
      await org.request("PATCH", `/contacts(${String(contact!.contactid)})`, { firstname: "Johnny" });
      await sandbox.dynamics.webhooks.drained();
      expect((await customerOf(customerId)).firstName).toBe("John");
    });

    it("refuses a webhook with a wrong key with 401, and changes nothing", async () => {
      const [contact] = await contactsOf(sandbox.seeded!.customers.jane!);
      const body = JSON.stringify({
        MessageName: "Update",
        PrimaryEntityName: "contact",
        PrimaryEntityId: contact!.contactid,
        CorrelationId: "c0ffee00-0000-4000-8000-000000000123",
        OperationCreatedOn: `/Date(${Date.now()})/`,
        Depth: 1,
        InitiatingUserId: "a0c0ffee-0000-4000-8000-000000000002",
      });
      const send = (query: string) =>
        fetch(`${sandbox.urls.service}/webhooks/dynamics${query}`, { method: "POST", headers: { "content-type": "application/json", "x-ms-dynamics-organization": new URL(sandbox.urls.dynamics).host }, body }).then((r) => r.status);
      expect(await send("?code=not-the-key")).toBe(401);
      expect(await send("")).toBe(401);
      expect((await customerOf(sandbox.seeded!.customers.jane!)).custom?.fields.crmFollowUp).toBeUndefined();
    });
  });
});
