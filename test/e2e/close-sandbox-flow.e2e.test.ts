import { redeliveries } from "../support/redeliveries";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import { contactFields, leadFields, orderActivityTypeName, orderFields } from "@ct-crm-sync/core/crm/close/field-names";
import { createCustomer, importOrder } from "../sandbox/seed";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { until } from "../support/until";
import { closeReader, type CloseReader } from "../support/close-reader";

/**
 * `CRM=close npm start`, as a test: commercetools changes reach the Close
 * simulator through the Pub/Sub push path, and are read back through Close's
 * own search and list API.
 */
describe("sandbox: commercetools → Pub/Sub push → event app → Close", () => {
  let sandbox: Sandbox;
  let close: CloseReader;

  /** The lead, contacts and order activities Close holds for one commercetools customer and order. */
  async function closeHolds(customerId: string, orderId: string) {
    const contactFieldId = await close.fieldId("/custom_field/contact/", contactFields.customerId.name);
    const contacts = contactFieldId ? await close.searchByCustomField("contact", contactFieldId, customerId, ["lead_id", "name"]) : [];
    const leadIds = [...new Set(contacts.map((c) => c.lead_id))];
    expect(leadIds.every((id) => typeof id === "string" && id.startsWith("lead_"))).toBe(true);
    const types = (await close.get("/custom_activity/")).data as { id: string; name: string }[];
    const type = types.find((t) => t.name === orderActivityTypeName);
    const orderKey = type ? await close.fieldKey("/custom_field/activity/", orderFields.orderId.name, type.id) : undefined;
    const activities = type ? await close.list("/activity/custom/", { custom_activity_type_id: type.id }) : [];
    return { contacts, leadIds, activities: activities.filter((a) => orderKey && a[orderKey] === orderId) };
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ crm: "close", ports: "ephemeral", seed: true, captureLogs: true });
    close = closeReader(sandbox.urls.closeApi, sandbox.env.CLOSE_API_KEY!);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("syncs the seed: a lead per B2C customer and per business unit, and the orders as activities", async () => {
    const seeded = sandbox.seeded!;
    const leadUnitKey = await close.fieldKey("/custom_field/lead/", leadFields.businessUnitId.name);
    const leads = await close.list("/lead/");
    expect(leads.filter((l) => l[leadUnitKey] === seeded.businessUnits.acme)).toHaveLength(1);
    const jane = await closeHolds(seeded.customers.jane!, seeded.orders.jane!);
    expect(jane.contacts).toHaveLength(1);
    expect(jane.leadIds).toHaveLength(1);
    expect(jane.activities).toHaveLength(1);
    // The ambiguous email: two Sams, and their guest order waits for review instead of landing on either.
    const ambiguous = await closeHolds(seeded.customers.samBerlin!, seeded.orders.ambiguousGuest!);
    expect(ambiguous.contacts).toHaveLength(1);
    expect(ambiguous.activities).toHaveLength(0);
    const review = await sandbox.runtimes.service.failures.get(failureKey("sandbox", "ct-to-crm", "order", seeded.orders.ambiguousGuest!));
    expect(review).toMatchObject({ errorClass: "ambiguous_match", state: "open" });
  });

  it("shows a customer and an order created in commercetools as a lead with a contact and one activity", async () => {
    const customerId = await createCustomer(sandbox.api, { email: "close.buyer@example.com", firstName: "Cleo", lastName: "Closer", store: "berlin", country: "DE" });
    const orderId = await importOrder(sandbox.api, {
      orderNumber: "SB-3001",
      customerId,
      email: "close.buyer@example.com",
      store: "berlin",
      currency: "EUR",
      lines: [{ sku: "CUP-ESP", name: "Espresso cup", quantity: 2, cents: 1000 }],
    });
    const held = await until(async () => {
      const now = await closeHolds(customerId, orderId);
      return now.activities.length > 0 ? now : undefined;
    });
    expect(held.contacts).toHaveLength(1);
    expect(held.contacts[0]?.name).toBe("Cleo Closer");
    expect(held.leadIds).toHaveLength(1);
    expect(held.activities).toHaveLength(1);
    const numberKey = await close.fieldKey("/custom_field/activity/", orderFields.orderNumber.name, held.activities[0]!.custom_activity_type_id as string);
    expect(held.activities[0]?.[numberKey]).toBe("SB-3001");
    expect(held.activities[0]?.lead_id).toBe(held.leadIds[0]);
  });

  describe("repeated deliveries", () => {
    const { deliver, newCustomerWithOrder, tenAtOnce, tenInARow } = redeliveries(() => sandbox);

    it("leaves one lead, one contact, one activity when the same messages arrive ten times in a row", async () => {
      const record = await newCustomerWithOrder("ten-in-a-row");
      for (const status of await tenInARow(record)) expect(status).toBe(204);
      const held = await closeHolds(record.customerId, record.orderId);
      expect({ leads: held.leadIds.length, contacts: held.contacts.length, activities: held.activities.length }).toEqual({ leads: 1, contacts: 1, activities: 1 });
    });

    it("leaves one lead, one contact, one activity when ten deliveries of each arrive at once", async () => {
      const record = await newCustomerWithOrder("ten-at-once");
      const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => deliver(i % 2 ? record.orderCreated : record.customerCreated)).concat(
        Array.from({ length: 10 }, (_, i) => deliver(i % 2 ? record.customerCreated : record.orderCreated)),
      ));
      expect(statuses.every((s) => s === 204)).toBe(true);
      const held = await closeHolds(record.customerId, record.orderId);
      expect({ leads: held.leadIds.length, contacts: held.contacts.length, activities: held.activities.length }).toEqual({ leads: 1, contacts: 1, activities: 1 });
    });
  });
});
