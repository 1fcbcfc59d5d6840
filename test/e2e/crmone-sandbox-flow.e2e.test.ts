import { redeliveries } from "../support/redeliveries";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import { createCustomer } from "../sandbox/seed";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { crmOneReader, type CrmOneReader } from "../simulators/crmone";
import { until } from "../support/until";

/**
 * `CRM=crmone npm start`, as a test: commercetools changes reach the CRM One
 * simulator through the Pub/Sub push path and are read back through the
 * 1CRM REST API, as a 1CRM user would read them; changes made through that
 * API reach the customer through the webhooks the sandbox subscribed.
 */
describe("sandbox: commercetools ⇄ CRM One", () => {
  let sandbox: Sandbox;
  let crm: CrmOneReader;
  /** A salesperson working in CRM One: their changes are the CRM's, not the connector's own coming back. */
  let sales: CrmOneReader;

  /** `GET /api.php/data/Contact?filters[ct_customer_id]=<id>&fields[]=email1`, as the issue reads it back. */
  async function contactsCarrying(customerId: string) {
    const token = await fetch(`${sandbox.urls.crmone}/auth/user/access_token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret", scope: "read write" }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const response = await fetch(`${sandbox.urls.crmone}/data/Contact?filters[ct_customer_id]=${customerId}&fields[]=email1`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as { records: { id: string; email1?: string }[]; total_results: number };
  }

  const notesOf = (orderId: string) => crm.all("Note", ["contact_id", "account_id", "description"], { name: `commercetools order ct-order-${orderId}` });

  beforeAll(async () => {
    sandbox = await startSandbox({ crm: "crmone", ports: "ephemeral", seed: true, captureLogs: true });
    crm = crmOneReader(sandbox.urls.crmone, sandbox.crmone);
    sales = crmOneReader(sandbox.urls.crmone, sandbox.crmone.salesperson);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("syncs the seed: a contact per customer, accounts with the division under its parent, associates on their accounts, orders as notes", async () => {
    const seeded = sandbox.seeded!;
    const accounts = await crm.all("Account", ["name", "parent_id", "ct_business_unit_id"]);
    const acme = accounts.filter((a) => a.ct_business_unit_id === seeded.businessUnits.acme);
    const east = accounts.filter((a) => a.ct_business_unit_id === seeded.businessUnits.acmeEast);
    expect(acme).toHaveLength(1);
    expect(east).toMatchObject([{ name: "ACME East", parent_id: acme[0]!.id }]);
    const [alice] = await crm.all("Contact", ["primary_account_id", "business_role"], { ct_customer_id: seeded.customers.alice! });
    expect(alice).toMatchObject({ primary_account_id: east[0]!.id, business_role: "buyer" });

    const jane = await contactsCarrying(seeded.customers.jane!);
    expect(jane.records).toEqual([{ id: expect.any(String), email1: "jane.doe@example.com" }]);
    const janeNotes = await notesOf(seeded.orders.jane!);
    expect(janeNotes).toHaveLength(1);
    expect(janeNotes[0]).toMatchObject({ contact_id: jane.records[0]!.id, description: expect.stringMatching(/^Order number: SB-1001$/m) });
    const acmeNotes = await notesOf(seeded.orders.acme!);
    expect(acmeNotes[0]).toMatchObject({ contact_id: alice!.id, account_id: east[0]!.id });

    // The ambiguous guest order waits for review instead of landing on either Sam.
    expect(await notesOf(seeded.orders.ambiguousGuest!)).toHaveLength(0);
    const review = await sandbox.runtimes.service.failures.get(failureKey("sandbox", "ct-to-crm", "order", seeded.orders.ambiguousGuest!));
    expect(review).toMatchObject({ errorClass: "ambiguous_match", state: "open" });
  });

  it("writes Jane's consent withdrawal in commercetools as email_opt_out, with its date", async () => {
    const [jane] = await crm.all("Contact", ["email_opt_out", "email_opt_in", "email_opt_in_date"], { ct_customer_id: sandbox.seeded!.customers.jane! });
    expect(jane).toMatchObject({ email_opt_out: true, email_opt_in: false, email_opt_in_date: "2026-11-15T09:00:00.000Z" });
    const [john] = await crm.all("Contact", ["email_opt_out", "email_opt_in_date"], { ct_customer_id: sandbox.seeded!.customers.john! });
    expect(john).toMatchObject({ email_opt_out: true, email_opt_in_date: "2026-11-01T09:00:00.000Z" });
  });

  it("shows a customer created in the emulator as one contact, read back by ct_customer_id", async () => {
    const customerId = await createCustomer(sandbox.api, { email: "crmone.buyer@example.com", firstName: "Una", lastName: "One", store: "berlin", country: "DE" });
    const held = await until(async () => {
      const found = await contactsCarrying(customerId);
      return found.records.length > 0 ? found : undefined;
    });
    expect(held).toEqual({ records: [{ id: expect.any(String), email1: "crmone.buyer@example.com" }], total_results: 1 });
    const [contact] = await crm.all("Contact", ["first_name", "last_name", "categories"], { ct_customer_id: customerId });
    expect(contact).toMatchObject({ first_name: "Una", last_name: "One", categories: "store:berlin" });
  });

  describe("repeated deliveries", () => {
    const { newCustomerWithOrder, tenAtOnce, tenInARow } = redeliveries(() => sandbox);

    it("leaves one contact and one note when the same messages arrive ten times in a row", async () => {
      const record = await newCustomerWithOrder("crmone-ten-in-a-row");
      for (const status of await tenInARow(record)) expect(status).toBe(204);
      expect((await contactsCarrying(record.customerId)).total_results).toBe(1);
      expect(await notesOf(record.orderId)).toHaveLength(1);
    });

    it("leaves one contact and one note when ten deliveries of each arrive at once", async () => {
      const record = await newCustomerWithOrder("crmone-ten-at-once");
      expect((await tenAtOnce(record)).every((s) => s === 204)).toBe(true);
      const found = await contactsCarrying(record.customerId);
      expect(found.records).toEqual([{ id: expect.any(String), email1: "crmone-ten-at-once@example.com" }]);
      const notes = await notesOf(record.orderId);
      expect(notes).toHaveLength(1);
      expect(notes[0]?.contact_id).toBe(found.records[0]!.id);
    });
  });

  describe("CRM One → commercetools", () => {
    const customerOf = async (id: string) => (await sandbox.api.customers().withId({ ID: id }).get().execute()).body;
    const contactOf = async (customerId: string) => (await crm.all("Contact", ["first_name", "categories", "date_modified", "email_opt_out"], { ct_customer_id: customerId }))[0]!;
    /**
     * 1CRM's modification times are to the second, and a change no newer than the one applied is dropped as
     * stale: a salesperson's edits come seconds apart, so the test's do too.
     */
    const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 10));

    it("sets crmFollowUp and crmSegments when sales flag the contact and give it a category, does not write the contact back, and keeps a first name changed there off the customer", async () => {
      const customerId = sandbox.seeded!.customers.john!;
      const contact = await contactOf(customerId);
      await nextSecond();
      await sales.update("Contact", contact.id as string, { ct_follow_up: true, categories: `vip, ${contact.categories as string}` });
      const customer = await until(async () => {
        const now = await customerOf(customerId);
        return now.custom?.fields.crmFollowUp === true ? now : undefined;
      });
      expect(customer.custom?.fields.crmSegments).toEqual(["vip"]);
      // Our write to commercetools comes back as a customer message: nothing new for the CRM, the contact stays as it is.
      const after = await contactOf(customerId);
      await sandbox.relay.drained();
      await sandbox.crmone.webhooks.settled();
      expect((await contactOf(customerId)).date_modified).toBe(after.date_modified);
      // commercetools owns the first name: one changed in CRM One does not reach the customer (the delivery is answered once applied).
      await nextSecond();
      await sales.update("Contact", contact.id as string, { first_name: "Johnny" });
      await sandbox.crmone.webhooks.settled();
      expect((await customerOf(customerId)).firstName).toBe("John");
    });

    it("takes an email opt-in recorded in CRM One to the customer: the CRM owns email consent", async () => {
      const customerId = sandbox.seeded!.customers.john!;
      const contact = await contactOf(customerId);
      expect(contact.email_opt_out).toBe(true);
      await nextSecond();
      await sales.update("Contact", contact.id as string, { email_opt_out: false, email_opt_in: true, email_opt_in_date: new Date().toISOString() });
      const customer = await until(async () => {
        const now = await customerOf(customerId);
        return now.custom?.fields.emailMarketingConsent === true ? now : undefined;
      });
      expect(customer.custom?.fields.emailMarketingConsentSource).toBe("crm:crmone");
      await sandbox.relay.drained();
      expect((await contactOf(customerId)).email_opt_out).toBe(false);
    });

    it("refuses a webhook without the right secret with 401, and changes nothing", async () => {
      const customerId = sandbox.seeded!.customers.jane!;
      const contact = await crm.get("Contact", (await contactOf(customerId)).id as string);
      const body = JSON.stringify({ ...contact, ct_follow_up: true });
      const send = (query: string, headers: Record<string, string> = {}) =>
        fetch(`${sandbox.urls.service}/webhooks/crmone?model=Contact${query}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
      expect((await send("")).status).toBe(401);
      expect((await send("&secret=not-the-secret")).status).toBe(401);
      expect((await send("", { "x-ct-crm-sync-secret": "not-the-secret" })).status).toBe(401);
      expect((await customerOf(customerId)).custom?.fields.crmFollowUp).toBeUndefined();
      // The admin's subscription URL carries the secret: the same delivery is taken.
      expect((await send(`&secret=${sandbox.env.CRMONE_WEBHOOK_SECRET}`)).status).toBeLessThan(300);
    });
  });
});
