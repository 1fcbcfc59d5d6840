import { redeliveries } from "../support/redeliveries";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import { createCustomer, importOrder } from "../sandbox/seed";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { freshsalesReader, type FreshsalesReader } from "../simulators/freshsales/reader";
import { until } from "../support/until";

/**
 * `CRM=freshsales npm start`, as a test: commercetools changes reach the
 * Freshsales simulator through the Pub/Sub push path and are read back with
 * Freshsales' own lookup search; a change made in Freshsales reaches the
 * customer through the account's workflow webhook (the sandbox plays the
 * admin who set it up as the connector README says).
 */
describe("sandbox: commercetools ⇄ Freshsales", () => {
  let sandbox: Sandbox;
  let freshsales: FreshsalesReader;

  /** `GET /crm/sales/api/lookup?q=<customer id>&f=cf_ct_customer_id&entities=contact`, as the issue reads it back. */
  async function contactsOf(customerId: string) {
    const response = await fetch(`${sandbox.urls.freshsales}/lookup?q=${encodeURIComponent(customerId)}&f=cf_ct_customer_id&entities=contact`, {
      headers: { authorization: `Token token=${sandbox.env.FRESHSALES_API_KEY}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { contacts: { contacts: { id: number; email: string; first_name: string; custom_field: Record<string, unknown> }[] } }).contacts.contacts;
  }
  const dealsOf = (orderId: string) => freshsales.lookup("deals", "cf_ct_order_id", orderId);

  beforeAll(async () => {
    sandbox = await startSandbox({ crm: "freshsales", ports: "ephemeral", seed: true, captureLogs: true });
    freshsales = freshsalesReader(sandbox.urls.freshsales, sandbox.env.FRESHSALES_API_KEY!);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("syncs the seed: a contact per customer, the division's account under its parent, associates on it, orders as deals", async () => {
    const seeded = sandbox.seeded!;
    const [acme] = await freshsales.lookup("sales_accounts", "cf_ct_business_unit_id", seeded.businessUnits.acme!);
    const [east] = await freshsales.lookup("sales_accounts", "cf_ct_business_unit_id", seeded.businessUnits.acmeEast!);
    expect(east).toMatchObject({ name: "ACME East", parent_sales_account_id: acme!.id });
    const [alice] = await contactsOf(seeded.customers.alice!);
    expect(alice).toMatchObject({ sales_accounts: [{ id: east!.id }], custom_field: { cf_ct_roles: "buyer" } });

    const [jane] = await contactsOf(seeded.customers.jane!);
    expect(jane).toMatchObject({ email: "jane.doe@example.com", subscription_status: "Unsubscribed" });
    const janeDeals = await dealsOf(seeded.orders.jane!);
    expect(janeDeals).toEqual([expect.objectContaining({ name: "Order SB-1001", contact_ids: [jane!.id] })]);
    expect((await dealsOf(seeded.orders.acme!))[0]).toMatchObject({ contact_ids: [alice!.id], sales_account_id: east!.id });

    // Freshsales keeps one contact per email: the second Sam is held for review rather than merged into the first.
    expect(await contactsOf(seeded.customers.samBerlin!)).toHaveLength(1);
    expect(await contactsOf(seeded.customers.samBoston!)).toHaveLength(0);
    const twin = await sandbox.runtimes.service.failures.get(failureKey("sandbox", "ct-to-crm", "person", seeded.customers.samBoston!));
    expect(twin).toMatchObject({ errorClass: "ambiguous_match", state: "open" });
    expect((await sandbox.runtimes.service.failures.list({})).items.map((f) => f.sourceId)).toEqual([seeded.customers.samBoston]);
    // So the guest order with that email finds one synced contact holding it, Sam Berlin's, and lands there.
    const [samBerlin] = await contactsOf(seeded.customers.samBerlin!);
    expect((await dealsOf(seeded.orders.ambiguousGuest!))[0]).toMatchObject({ contact_ids: [samBerlin!.id] });
  });

  it("shows a customer created in the emulator as one contact, found by cf_ct_customer_id, and its order once as a deal", async () => {
    const customerId = await createCustomer(sandbox.api, { email: "fresh.buyer@example.com", firstName: "Fran", lastName: "Fresh", store: "berlin", country: "DE" });
    const orderId = await importOrder(sandbox.api, { orderNumber: "SB-4001", customerId, email: "fresh.buyer@example.com", store: "berlin", currency: "EUR", lines: [{ sku: "CUP-ESP", name: "Espresso cup", quantity: 2, cents: 1000 }] });
    const deals = await until(async () => {
      const found = await dealsOf(orderId);
      return found.length > 0 ? found : undefined;
    });
    const contacts = await contactsOf(customerId);
    expect(contacts).toEqual([expect.objectContaining({ email: "fresh.buyer@example.com", first_name: "Fran" })]);
    expect(deals).toEqual([expect.objectContaining({ name: "Order SB-4001", amount: 20, contact_ids: [contacts[0]!.id], custom_field: expect.objectContaining({ cf_ct_line_summary: expect.stringContaining("Espresso cup") }) })]);
  });

  describe("repeated deliveries", () => {
    const { about, deliver, newCustomerWithOrder, tenAtOnce, tenInARow } = redeliveries(() => sandbox);

    it("gathers a burst of 300 customer changes, pushed at once, into a few bulk jobs instead of a call each", async () => {
      const created = [];
      for (let i = 0; i < 300; i++) created.push(await createCustomer(sandbox.api, { email: `burst-${i}@example.com`, firstName: "Bea", lastName: `Burst ${i}`, store: "berlin", country: "DE" }));
      await sandbox.relay.drained();
      const pushes = created.map((id) => about(id)[0]!);
      const before = sandbox.freshsales.recorded.length;
      const statuses = await Promise.all(pushes.map((push) => deliver(push)));
      expect(statuses.every((s) => s === 204)).toBe(true);
      // Every call the burst cost: bulk jobs with one status read each (a straggler of one or two records: a single
      // upsert). Pushes reach the adapter over a few seconds (each first reads its customer from commercetools),
      // gathered a second at most, so a busy machine sees a few more jobs than ⌈300/100⌉. The workflow webhooks of
      // these creations are our own writes coming back: dropped unread, they cost no call.
      const calls = sandbox.freshsales.recorded.slice(before).map((r) => r.path.replace(/\/job_statuses\/.+/, "/job_statuses/{id}"));
      for (const path of calls) expect(["/contacts/bulk_upsert", "/job_statuses/{id}", "/contacts/upsert"]).toContain(path);
      expect(calls.filter((p) => p === "/contacts/bulk_upsert").length).toBeGreaterThanOrEqual(3);
      expect(calls.length).toBeLessThanOrEqual(20);
      for (const id of created.slice(0, 5)) expect(await contactsOf(id)).toHaveLength(1);
    });

    it("leaves one contact and one deal when the same messages arrive ten times in a row", async () => {
      const record = await newCustomerWithOrder("fs-ten-in-a-row");
      for (const status of await tenInARow(record)) expect(status).toBe(204);
      expect(await contactsOf(record.customerId)).toHaveLength(1);
      expect(await dealsOf(record.orderId)).toHaveLength(1);
    });

    it("leaves one contact and one deal when ten deliveries of each arrive at once", async () => {
      const record = await newCustomerWithOrder("fs-ten-at-once");
      expect((await tenAtOnce(record)).every((s) => s === 204)).toBe(true);
      const contacts = await contactsOf(record.customerId);
      expect(contacts).toHaveLength(1);
      const deals = await dealsOf(record.orderId);
      expect(deals).toHaveLength(1);
      expect(deals[0]!.contact_ids).toEqual([contacts[0]!.id]);
    });
  });

  describe("Freshsales → commercetools", () => {
    const customerOf = async (id: string) => (await sandbox.api.customers().withId({ ID: id }).get().execute()).body;
    /** A salesperson working in Freshsales, with their own API key. */
    const update = (path: string, body: unknown) =>
      fetch(`${sandbox.urls.freshsales}${path}`, {
        method: "PUT",
        headers: { authorization: `Token token=${sandbox.freshsales.salesApiKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    it("sets crmFollowUp and crmSegments on the customer when sales flag and tag the contact in Freshsales", async () => {
      const customerId = sandbox.seeded!.customers.john!;
      const [contact] = await contactsOf(customerId);
      expect((await update(`/contacts/${contact!.id}`, { contact: { tags: ["key account"], custom_field: { cf_ct_follow_up: true } } })).status).toBe(200);
      const customer = await until(async () => {
        const now = await customerOf(customerId);
        return now.custom?.fields.crmFollowUp === true ? now : undefined;
      });
      expect(customer.custom?.fields.crmSegments).toEqual(["key account"]);
      // commercetools owns the first name: one changed in Freshsales does not reach the customer.
      await update(`/contacts/${contact!.id}`, { contact: { first_name: "Johnny" } });
      await sandbox.freshsales.settled();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await customerOf(customerId)).firstName).toBe("John");
    });

    it("refuses a webhook without the right secret with 401, and changes nothing", async () => {
      const [contact] = await contactsOf(sandbox.seeded!.customers.jane!);
      const body = JSON.stringify({ module: "contact", id: String(contact!.id), updated_at: new Date().toISOString() });
      const send = (headers: Record<string, string>) => fetch(`${sandbox.urls.service}/webhooks/freshsales`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
      expect((await send({})).status).toBe(401);
      expect((await send({ "x-ct-crm-sync-secret": "not-the-secret-at-all" })).status).toBe(401);
      expect((await customerOf(sandbox.seeded!.customers.jane!)).custom?.fields.crmFollowUp).toBeUndefined();
    });
  });
});
