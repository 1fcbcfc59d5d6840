import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Customer } from "@commercetools/platform-sdk";
import { serviceApi } from "@ct-crm-sync/core/api/contract";
import { baseMappingConfig } from "@ct-crm-sync/core/domain/mapping-config";
import { startSandbox, type Sandbox } from "../../test/sandbox/sandbox";
import { buildDelivery, signCloseWebhook } from "../../test/simulators/close";
import { startSessionIssuer, type SessionIssuer } from "../../test/support/mc-session";
import { until } from "../../test/support/until";
import { serviceClient, type ServiceClient } from "./service-client";

/**
 * `POST /webhooks/close` of the service app, against the emulator and the
 * Close simulator: what is refused changes nothing, what is authentic but
 * unreadable is kept and acknowledged, what is applied shows in the sync log
 * (with the delivery's correlation ID), the status and, when it fails, the
 * failures, which replay re-reads from Close.
 */
describe("service: CRM webhooks", () => {
  let sandbox: Sandbox;
  let mc: SessionIssuer;
  let api: ServiceClient;
  let customerId: string;
  let contactId: string;
  let followUpField: string;
  let segmentsField: string;
  let signatureKey: string;

  const endpoint = () => `${sandbox.urls.service}/webhooks/close`;
  const customer = async (): Promise<Customer> => (await sandbox.api.customers().withId({ ID: customerId }).get().execute()).body;

  async function closeApi(method: "POST" | "PUT", path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${sandbox.urls.closeApi}${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${sandbox.close.apiKey}:`).toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.ok).toBe(true);
    return (await response.json()) as Record<string, unknown>;
  }

  /** A delivery as Close signs it, sent by the test (with our correlation ID, or a body of our choosing). */
  function signed(body: string, options: { timestamp?: number; key?: string; correlationId?: string } = {}) {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    return fetch(endpoint(), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "close-sig-timestamp": timestamp,
        "close-sig-hash": signCloseWebhook(options.key ?? signatureKey, timestamp, body),
        ...(options.correlationId ? { "x-correlation-id": options.correlationId } : {}),
      },
      body,
    });
  }
  /** Signed as Close signs it, then changed on the way. */
  function tampered(body: string) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const hash = signCloseWebhook(signatureKey, timestamp, body);
    return fetch(endpoint(), { method: "POST", headers: { "content-type": "application/json", "close-sig-timestamp": timestamp, "close-sig-hash": hash }, body: body.replace('"updated"', '"deleted"') });
  }
  const contactUpdated = () => {
    const subscription = [...sandbox.close.store.webhooks.values()][0]!;
    return JSON.stringify(buildDelivery(subscription, { object_type: "contact", action: "updated", object_id: contactId }, sandbox.close.store.now()));
  };

  beforeAll(async () => {
    mc = await startSessionIssuer();
    sandbox = await startSandbox({ crm: "close", ports: "ephemeral", mcApiUrl: mc.issuer, captureLogs: true });
    api = serviceClient(sandbox.urls.service, mc, sandbox.emulator.projectKey);
    signatureKey = [...sandbox.close.store.webhooks.values()][0]!.signature_key;
    // The admin's fields, made before the connector first reads contacts (it keeps the field list a few minutes).
    followUpField = String((await closeApi("POST", "/custom_field/contact/", { name: "ct_follow_up", type: "text" })).id);
    segmentsField = String((await closeApi("POST", "/custom_field/contact/", { name: "ct_segments", type: "text" })).id);
    const { body } = await sandbox.api.customers().post({ body: { email: "hook@example.com", firstName: "Hook", lastName: "Test", password: "x" } }).execute();
    customerId = body.customer.id;
    const link = await until(async () => (await sandbox.runtimes.service.links.get("person", customerId))?.value);
    contactId = link.crmId;
    await sandbox.relay.drained();
    await sandbox.close.webhooks.drained();
    // Only the test's own requests reach the endpoint from here on.
    sandbox.close.webhooks.configure({ paused: true });
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
    await mc?.close();
  });

  it("refuses forged, unsigned, stale and oversized requests (401, 413) and changes nothing", async () => {
    await closeApi("PUT", `/contact/${contactId}/`, { [`custom.${followUpField}`]: "yes" });
    const before = await customer();
    const body = contactUpdated();
    const statuses = [
      (await signed(body, { key: "ab".repeat(32) })).status,
      (await fetch(endpoint(), { method: "POST", headers: { "content-type": "application/json" }, body })).status,
      (await signed(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status,
      (await tampered(body)).status,
      (await fetch(endpoint(), { method: "POST", headers: { "content-type": "application/json", "close-sig-timestamp": "1", "close-sig-hash": "0".repeat(64) }, body: "x".repeat(1024 * 1024 + 1) })).status,
      (await fetch(`${sandbox.urls.service}/webhooks/salesforce`, { method: "POST", body })).status,
    ];
    expect(statuses).toEqual([401, 401, 401, 401, 413, 404]);
    const after = await customer();
    expect(after.version).toBe(before.version);
    expect(after.custom?.fields.crmFollowUp).toBeUndefined();
  });

  it("applies an authentic delivery, and the log and status show it with its correlation ID", async () => {
    const answer = await signed(contactUpdated(), { correlationId: "hook-corr-1" });
    expect(answer.status).toBe(200);
    expect((await customer()).custom?.fields.crmFollowUp).toBe(true);
    const { answer: log } = await api.call(serviceApi.log.list, { query: { direction: "crm-to-ct", correlationId: "hook-corr-1" } });
    expect(log?.items).toEqual([expect.objectContaining({ source: "webhook", direction: "crm-to-ct", entity: "person", sourceId: customerId, crmId: contactId, outcome: "written" })]);
    const { answer: status } = await api.call(serviceApi.status.get, {});
    const hours = status!.connections[0]!.processed;
    expect(hours.reduce((n, h) => n + (h.inboundWritten ?? 0), 0)).toBeGreaterThanOrEqual(1);
  });

  it("keeps an authentic delivery it cannot read for review, once per body, and acknowledges it", async () => {
    const first = await signed("{not json");
    const again = await signed("{not json");
    expect([first.status, again.status]).toEqual([200, 200]);
    const { answer } = await api.call(serviceApi.failures.list, { query: { direction: "crm-to-ct", entity: "delivery" } });
    expect(answer?.items).toEqual([expect.objectContaining({ direction: "crm-to-ct", entity: "delivery", errorClass: "validation", attempts: 2, state: "open" })]);
  });

  it("keeps a change it cannot apply as a crm-to-ct failure, which replay re-reads from Close and applies", async () => {
    const config = baseMappingConfig("close");
    expect((await api.call(serviceApi.mappings.save, { body: { ...config, inbound: { segmentGroups: { VIP: "vip" } } } as never })).status).toBe(200);
    await closeApi("PUT", `/contact/${contactId}/`, { [`custom.${segmentsField}`]: "VIP" });
    expect((await signed(contactUpdated())).status).toBe(200);
    const { answer } = await api.call(serviceApi.failures.list, { query: { direction: "crm-to-ct", entity: "person" } });
    const failure = answer!.items[0]!;
    expect(failure).toMatchObject({ sourceId: contactId, errorClass: "validation", message: expect.stringContaining('customer group "vip"') });

    await sandbox.api.customerGroups().post({ body: { key: "vip", groupName: "VIP" } }).execute();
    const replayed = await api.call(serviceApi.failures.replay, { params: { id: failure.id } });
    expect(replayed.answer?.outcome).toBe("resolved");
    const after = await sandbox.api.customers().withId({ ID: customerId }).get({ queryArgs: { expand: ["customerGroup"] } }).execute();
    expect(after.body.customerGroup?.obj?.key).toBe("vip");
    expect(after.body.custom?.fields.crmSegments).toEqual(["VIP"]);
  });
});
