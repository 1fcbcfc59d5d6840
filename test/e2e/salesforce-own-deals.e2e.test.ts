import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connector } from "@ct-crm-sync/core/crm/salesforce/connector";
import { cartDealKey } from "@ct-crm-sync/core/domain/keys";
import type { CartDeal } from "@ct-crm-sync/core/domain/model";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { salesforceCall, soql } from "../support/salesforce-reader";
import { until } from "../support/until";
import { settledWithSalesforce } from "../support/settled";

/**
 * No loops: the opportunity the sync writes for a commercetools cart comes
 * back to the service as an Outbound Message (the org's rule on Opportunity
 * fires on every write), and so do a salesperson's edits of it. Even at a
 * stage the merchant configured for draft carts, with products and its
 * contact, it never becomes a draft cart or any other commercetools write.
 */
describe("Salesforce: the sync's own cart opportunities through the inbound path", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ crm: "salesforce", ports: "ephemeral", seed: false, captureLogs: true });
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  const settled = () => settledWithSalesforce(sandbox);

  it("never turns an opportunity carrying a cart key into a draft cart, whatever Sales does to it", async () => {
    const service = sandbox.runtimes.service;
    const config = await service.mappings.config();
    // The opening stage of our opportunities is a cart stage here: the worst case.
    await service.mappings.save({ ...config, inbound: { ...config.inbound, carts: { stages: ["Prospecting"], currency: "EUR" } } });
    try {
      await ownOpportunityEditedBySales();
    } finally {
      await service.mappings.save(config);
    }
  });

  async function ownOpportunityEditedBySales() {
    const { body: productType } = await sandbox.api.productTypes().post({ body: { key: "own-deal-gear", name: "Own deal gear", description: "e2e" } }).execute();
    const price = { value: { type: "centPrecision" as const, currencyCode: "EUR", centAmount: 1000, fractionDigits: 2 } };
    const product = { key: "own-1", productType: { typeId: "product-type" as const, id: productType.id }, name: { en: "Mug" }, slug: { en: "own-1" }, masterVariant: { sku: "OWN-1", prices: [price] }, publish: true };
    await sandbox.api.products().post({ body: product }).execute();
    const { body } = await sandbox.api.customers().post({ body: { email: "own.deal@example.com", firstName: "Owen", lastName: "Deal", password: "x" } }).execute();
    const customerId = body.customer.id;
    const contact = await until(async () => (await soql<{ Id: string }>(sandbox.urls.salesforce, `SELECT Id FROM Contact WHERE CT_Customer_Id__c = '${customerId}'`))[0]);
    await settled();
    const customerBefore = (await sandbox.api.customers().withId({ ID: customerId }).get().execute()).body;
    const acknowledgedBefore = sandbox.salesforce.outboundMessages.stats().acknowledged;

    // The sync writes the cart's opportunity (as the event app does for a cart of a known customer).
    const adapter = connector.connect(
      { SALESFORCE_LOGIN_URL: sandbox.urls.salesforce, SALESFORCE_CLIENT_ID: "sandbox-client", SALESFORCE_CLIENT_SECRET: "sandbox-secret" },
      { logger: new MemoryLogger(), clock: systemClock },
    ).outbound;
    const deal: CartDeal = {
      kind: "deal",
      sourceId: "cart-own",
      sourceVersion: 1,
      dealKey: cartDealKey("cart-own"),
      personSourceId: customerId,
      title: "Cart · 1 item",
      total: { centAmount: 1000, currencyCode: "EUR", fractionDigits: 2 },
      status: "open",
      lines: [{ sku: "OWN-1", name: "Mug", quantity: 1, total: { centAmount: 1000, currencyCode: "EUR", fractionDigits: 2 } }],
      lineSummary: "1 x Mug (OWN-1) 10.00 EUR",
      lastActivityAt: new Date().toISOString(),
    };
    const [written] = await adapter.upsertDeals!([deal], { correlationId: "own-deal" });
    expect(written?.ok).toBe(true);
    const opportunityId = written!.ok ? written!.crmId : "";
    await settled();

    // A salesperson gives it its contact and a product, then edits it.
    await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Opportunity/${opportunityId}`, { ContactId: contact.Id });
    await salesforceCall(sandbox.urls.salesforce, "POST", "/sobjects/OpportunityLineItem", { OpportunityId: opportunityId, ProductCode: "OWN-1", Quantity: 3, UnitPrice: 10 });
    await salesforceCall(sandbox.urls.salesforce, "PATCH", `/sobjects/Opportunity/${opportunityId}`, { Amount: 30 });
    await settled();

    // Every write came back to the service and was acknowledged: the sync's own, and the salesperson's edits (batched as Salesforce batches notifications).
    expect(sandbox.salesforce.outboundMessages.stats().acknowledged - acknowledgedBefore).toBeGreaterThanOrEqual(2);
    const carts = (await sandbox.api.carts().get({ queryArgs: { where: `key = "crm-salesforce-${opportunityId}" or customerId = "${customerId}"` } }).execute()).body.results;
    expect(carts).toEqual([]);
    expect((await sandbox.api.customers().withId({ ID: customerId }).get().execute()).body.version).toBe(customerBefore.version);
  }
});
