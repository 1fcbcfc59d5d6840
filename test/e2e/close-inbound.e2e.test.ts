import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Customer } from "@commercetools/platform-sdk";
import { z } from "zod";
import { runJob } from "../../job/src/run-job";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { closeReader, type CloseReader } from "../support/close-reader";
import { until } from "../support/until";

/**
 * The CRM → commercetools direction through the whole sandbox with Close:
 * the service's postDeploy subscribed the webhook (its signature key kept
 * for the service), Close delivers signed events for changes made through
 * its API, the service applies them to the emulator.
 */
describe("Close → commercetools in the sandbox", () => {
  let sandbox: Sandbox;
  let close: CloseReader;
  const fields = { followUp: "", segments: "" };

  beforeAll(async () => {
    sandbox = await startSandbox({ crm: "close", ports: "ephemeral", seed: false, captureLogs: true });
    close = closeReader(sandbox.urls.closeApi, sandbox.close.apiKey);
    // The admin's fields on contacts (connector README): the follow-up flag as a one-choice field, segments as text.
    fields.followUp = z.string().parse((await api("POST", "/custom_field/contact/", { name: "ct_follow_up", type: "choices", choices: ["Yes"] })).id);
    fields.segments = z.string().parse((await api("POST", "/custom_field/contact/", { name: "ct_segments", type: "text" })).id);
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  async function api(method: "POST" | "PUT", path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${sandbox.urls.closeApi}${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${sandbox.close.apiKey}:`).toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.ok, `${method} ${path}: ${response.status}`).toBe(true);
    return (await response.json()) as Record<string, unknown>;
  }

  async function settled() {
    for (let round = 0; round < 3; round++) {
      await sandbox.relay.drained();
      await sandbox.close.webhooks.drained();
    }
  }

  const customer = async (id: string): Promise<Customer> => (await sandbox.api.customers().withId({ ID: id }).get().execute()).body;
  const contactOf = async (customerId: string) => {
    const fieldId = await close.fieldId("/custom_field/contact/", "ct_customer_id");
    if (!fieldId) return undefined;
    const [hit] = await close.searchByCustomField("contact", fieldId, customerId, ["date_updated", "lead_id"]);
    return hit ? await close.get(`/contact/${hit.id}/`) : undefined;
  };
  const closeWrites = () => sandbox.close.requests.filter((r) => r.method !== "GET" && !r.path.includes("/data/search/")).length;

  async function syncedCustomer(email: string): Promise<{ id: string; contactId: string; leadId: string }> {
    const { body } = await sandbox.api.customers().post({ body: { email, firstName: "Carla", lastName: "Close", password: "x" } }).execute();
    const contact = await until(() => contactOf(body.customer.id));
    await settled();
    return { id: body.customer.id, contactId: String(contact.id), leadId: String(contact.lead_id) };
  }

  it("subscribed the service's webhook once, for contacts, leads and opportunities", async () => {
    const subscriptions = await close.list("/webhook/");
    expect(subscriptions).toEqual([expect.objectContaining({ url: `${sandbox.urls.service}/webhooks/close`, status: "active" })]);
    expect((await sandbox.runtimes.service.store.get("crm-sync-webhooks", "sandbox"))?.value).toMatchObject({ issuedSecret: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("puts a follow-up flag and segments set on the contact onto the customer within seconds, and writes nothing back to Close", async () => {
    const { id, contactId } = await syncedCustomer("carla.follow@example.com");
    const before = await customer(id);
    const started = Date.now();
    await api("PUT", `/contact/${contactId}/`, { [`custom.${fields.followUp}`]: "Yes", [`custom.${fields.segments}`]: "VIP, Newsletter" });
    const writesAfterChange = closeWrites();
    const stamp = (await close.get(`/contact/${contactId}/`)).date_updated;
    const changed = await until(async () => {
      const now = await customer(id);
      return now.custom?.fields.crmFollowUp === true ? now : undefined;
    }, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([...(changed.custom?.fields.crmSegments as string[])].sort()).toEqual(["Newsletter", "VIP"]);
    await settled();
    expect((await customer(id)).version).toBe(before.version + 1);
    expect(closeWrites()).toBe(writesAfterChange);
    expect((await close.get(`/contact/${contactId}/`)).date_updated).toBe(stamp);
  });

  it("leaves a first name changed in Close (commercetools owns it) on the customer as it was", async () => {
    const { id, contactId } = await syncedCustomer("carla.name@example.com");
    const before = await customer(id);
    await api("PUT", `/contact/${contactId}/`, { name: "Changed Close" });
    await settled();
    const after = await customer(id);
    expect(after.firstName).toBe("Carla");
    expect(after.version).toBe(before.version);
  });

  it("notes an opportunity's status, value and currency on the customer", async () => {
    const { id, leadId } = await syncedCustomer("carla.deal@example.com");
    await api("POST", "/opportunity/", { lead_id: leadId, value: 250000, value_currency: "EUR", value_period: "one_time", note: "espresso machines" });
    const noted = await until(async () => (await customer(id)).custom?.fields.crmOpenOpportunity as string | undefined, 5_000);
    expect(noted).toBe("open · 2500.00 EUR · Active");
  });

  it("gives a change in commercetools Close writes for that one record and no commercetools write after them", async () => {
    const { id, contactId } = await syncedCustomer("carla.ct@example.com");
    const before = await customer(id);
    await sandbox.api.customers().withId({ ID: id }).post({ body: { version: before.version, actions: [{ action: "setLastName", lastName: "Renamed" }] } }).execute();
    await until(async () => ((await close.get(`/contact/${contactId}/`)).name === "Carla Renamed" ? true : undefined));
    await settled();
    const writes = closeWrites();
    const stamp = (await close.get(`/contact/${contactId}/`)).date_updated;
    await settled();
    expect(closeWrites()).toBe(writes);
    expect((await close.get(`/contact/${contactId}/`)).date_updated).toBe(stamp);
    expect((await customer(id)).version).toBe(before.version + 1);
  });

  it("polls what a paused webhook subscription missed, and the late delivery changes nothing more", async () => {
    const { id, contactId } = await syncedCustomer("carla.polled@example.com");
    const runPoll = async () => (await runJob(sandbox.runtimes.job, { tasks: ["poll"] })).counts;
    await runPoll(); // the first run marks where polling starts
    const before = await customer(id);
    sandbox.close.webhooks.configure({ paused: true });
    try {
      await api("PUT", `/contact/${contactId}/`, { [`custom.${fields.segments}`]: "Wholesale" });
      const counts = await runPoll();
      expect(counts["poll.written"]).toBe(1);
      expect((await customer(id)).custom?.fields.crmSegments).toEqual(["Wholesale"]);
    } finally {
      sandbox.close.webhooks.configure({ paused: false });
    }
    await settled();
    expect((await customer(id)).version).toBe(before.version + 1);
  });

  it("refuses a delivery with a wrong signature or an old timestamp with 401 and changes nothing", async () => {
    const { id, contactId } = await syncedCustomer("carla.forged@example.com");
    const before = await customer(id);
    const event = { object_type: "contact", action: "updated", object_id: contactId };
    const tampered = await sandbox.close.deliverEvent(event, { tamper: true });
    const stale = await sandbox.close.deliverEvent(event, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect([...tampered, ...stale].map((d) => d.status)).toEqual([401, 401]);
    const unsigned = await fetch(`${sandbox.urls.service}/webhooks/close`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: { ...event, id: "ev_x" } }) });
    expect(unsigned.status).toBe(401);
    expect((await customer(id)).version).toBe(before.version);
  });
});
