import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, importOrder } from "../sandbox/seed";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { pushEnvelope } from "../sandbox/pubsub-relay";
import { until } from "../support/until";
import { soql } from "../support/salesforce-reader";

type Contact = { Id: string; CT_Customer_Id__c: string; Email: string; LastName: string; CT_Last_Purchase_Date__c: string | null };
type OrderRecord = { Id: string; CT_Order_Id__c: string; Name: string; CT_Total__c: number; Contact__r: { CT_Customer_Id__c: string } | null };

describe("sandbox: commercetools → Pub/Sub push → event app → Salesforce", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", seed: true, captureLogs: true });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("syncs the seed: B2C and B2B people, the company hierarchy, and every order once", async () => {
    const contacts = await soql<Contact>(sandbox.urls.salesforce, "SELECT Id, CT_Customer_Id__c, Email FROM Contact");
    const seeded = sandbox.seeded!;
    for (const id of Object.values(seeded.customers)) {
      expect(contacts.filter((c) => c.CT_Customer_Id__c === id)).toHaveLength(1);
    }
    const guest = contacts.filter((c) => c.Email === "guest.shopper@example.com");
    expect(guest).toHaveLength(1);
    expect(guest[0]?.CT_Customer_Id__c).toMatch(/^guest-/);

    const accounts = await soql<{ CT_Business_Unit_Id__c: string; Name: string; Parent: { CT_Business_Unit_Id__c: string } | null }>(
      sandbox.urls.salesforce,
      "SELECT Id, CT_Business_Unit_Id__c, Name, Parent.CT_Business_Unit_Id__c FROM Account",
    );
    const division = accounts.find((a) => a.CT_Business_Unit_Id__c === seeded.businessUnits.acmeEast);
    expect(division?.Name).toBe("ACME East");
    expect(division?.Parent?.CT_Business_Unit_Id__c).toBe(seeded.businessUnits.acme);

    const orders = await soql<OrderRecord>(
      sandbox.urls.salesforce,
      "SELECT Id, CT_Order_Id__c, Name, CT_Total__c, Contact__r.CT_Customer_Id__c FROM CT_Order__c",
    );
    expect(orders).toHaveLength(3);
    const janes = orders.find((o) => o.CT_Order_Id__c === seeded.orders.jane);
    expect(janes).toMatchObject({ Name: "SB-1001", CT_Total__c: 123.45 });
    expect(janes?.Contact__r?.CT_Customer_Id__c).toBe(seeded.customers.jane);
  });

  it("shows a customer and an order created in commercetools in the CRM within seconds", async () => {
    const customerId = await createCustomer(sandbox.api, {
      email: "new.buyer@example.com",
      firstName: "Nora",
      lastName: "Newbuyer",
      store: "berlin",
      country: "DE",
    });
    const orderId = await importOrder(sandbox.api, {
      orderNumber: "SB-2001",
      customerId,
      email: "new.buyer@example.com",
      store: "berlin",
      currency: "EUR",
      lines: [{ sku: "CUP-ESP", name: "Espresso cup", quantity: 1, cents: 1000 }],
    });
    const order = await until(async () =>
      (await soql<OrderRecord>(sandbox.urls.salesforce, `SELECT Id, CT_Order_Id__c, Name, Contact__r.CT_Customer_Id__c FROM CT_Order__c WHERE CT_Order_Id__c = '${orderId}'`))[0],
    );
    expect(order.Contact__r?.CT_Customer_Id__c).toBe(customerId);
    const contact = await soql<Contact>(
      sandbox.urls.salesforce,
      `SELECT Id, LastName, CT_Last_Purchase_Date__c FROM Contact WHERE CT_Customer_Id__c = '${customerId}'`,
    );
    expect(contact).toHaveLength(1);
    expect(contact[0]?.LastName).toBe("Newbuyer");
    expect(contact[0]?.CT_Last_Purchase_Date__c).not.toBeNull();
  });

  it("leaves exactly one contact and one order when the same push envelope is delivered twice", async () => {
    const customerId = await createCustomer(sandbox.api, {
      email: "twice@example.com",
      firstName: "Tom",
      lastName: "Twice",
      store: "berlin",
      country: "DE",
    });
    const orderId = await importOrder(sandbox.api, {
      orderNumber: "SB-2002",
      customerId,
      email: "twice@example.com",
      store: "berlin",
      currency: "EUR",
      lines: [{ sku: "BEAN-1KG", name: "Coffee beans 1kg", quantity: 1, cents: 2490 }],
    });
    await sandbox.relay.drained();
    const { body: order } = await sandbox.api.orders().withId({ ID: orderId }).get().execute();
    const envelope = pushEnvelope({
      notificationType: "Message",
      id: "dup-1",
      version: 1,
      sequenceNumber: 1,
      resource: { typeId: "order", id: orderId },
      resourceVersion: order.version,
      type: "OrderCreated",
      order,
    });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(sandbox.urls.event, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(envelope) });
      expect(response.status).toBe(204);
    }
    expect(await soql(sandbox.urls.salesforce, `SELECT Id FROM Contact WHERE CT_Customer_Id__c = '${customerId}'`)).toHaveLength(1);
    expect(await soql(sandbox.urls.salesforce, `SELECT Id FROM CT_Order__c WHERE CT_Order_Id__c = '${orderId}'`)).toHaveLength(1);
  });
});
