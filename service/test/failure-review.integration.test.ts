import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorNameHeader, serviceApi, type FailureListItem } from "@ct-crm-sync/core/api/contract";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import { startSandbox, type Sandbox } from "../../test/sandbox/sandbox";
import { importOrder, seedFailure } from "../../test/sandbox/seed";
import { startSessionIssuer, type SessionIssuer } from "../../test/support/mc-session";
import { soql } from "../../test/support/salesforce-reader";
import { until } from "../../test/support/until";
import { serviceClient, view, type ServiceClient } from "./service-client";

const { failures, status, mappings } = serviceApi;

type OrderRecord = { Id: string; Contact__r: { CT_Customer_Id__c: string } | null };

/**
 * Reviewing failures as a merchandiser does, on the seeded sandbox (Salesforce):
 * who a failure is about (read live from commercetools), the ambiguous guest
 * order resolved by choosing a person, the connection's health, and who saved
 * a mapping version.
 */
describe("service API: failure review, ambiguous matches, health and authors", () => {
  let sandbox: Sandbox;
  let mc: SessionIssuer;
  let api: ServiceClient;
  let rita: string;
  const mia = { subject: "user-mia", headers: { [actorNameHeader]: encodeURIComponent("Mia Merchant-Müller") } };

  const ordersOf = (orderId: string) =>
    soql<OrderRecord>(sandbox.urls.salesforce, `SELECT Id, Contact__r.CT_Customer_Id__c FROM CT_Order__c WHERE CT_Order_Id__c = '${orderId}'`);
  const listed = async (): Promise<FailureListItem[]> => (await api.call(failures.list, { query: { state: "open" } }, { permissions: view })).answer!.items;

  beforeAll(async () => {
    mc = await startSessionIssuer();
    sandbox = await startSandbox({ ports: "ephemeral", seed: true, captureLogs: true, mcApiUrl: mc.issuer });
    api = serviceClient(sandbox.urls.service, mc, sandbox.emulator.projectKey);
    rita = await seedFailure(sandbox.api, sandbox.salesforce.faults);
    await sandbox.relay.drained();
  });
  afterAll(async () => {
    await sandbox?.stop();
    await mc?.close();
  });

  it("lists each failure with who or what it is about, read live from commercetools; the stored payload stays redacted", async () => {
    const items = await listed();
    const refused = items.find((f) => f.sourceId === rita);
    expect(refused?.subject).toEqual({ name: "Rita Refused", email: "rita.refused@example.com" });
    const ambiguous = items.find((f) => f.sourceId === sandbox.seeded!.orders.ambiguousGuest);
    expect(ambiguous).toMatchObject({ errorClass: "ambiguous_match", subject: { orderNumber: "SB-1004", email: "Sam.Shared@example.com" } });
    const detail = await api.call(failures.get, { params: { id: refused!.id } }, { permissions: view });
    expect(JSON.stringify(detail.answer?.payload ?? {})).not.toContain("rita.refused@example.com");
  });

  it("filters by direction and CRM", async () => {
    const outbound = await api.call(failures.list, { query: { direction: "ct-to-crm", crm: "salesforce" } }, { permissions: view });
    expect(outbound.answer!.items.length).toBeGreaterThanOrEqual(2);
    expect((await api.call(failures.list, { query: { direction: "crm-to-ct" } }, { permissions: view })).answer!.items).toEqual([]);
    expect((await api.call(failures.list, { query: { crm: "close" } }, { permissions: view })).answer!.items).toEqual([]);
  });

  it("tells the health: attention, with the open failures counted", async () => {
    const [connection] = (await api.call(status.get, {}, { permissions: view })).answer!.connections;
    expect(connection!.health.state).toBe("attention");
    expect(connection!.health.reasons).toContainEqual({ kind: "open_failures", count: 2 });
    expect(connection!.lastError).toMatch(/^validation: /);
  });

  it("describes the ambiguous order's candidates by name, email, store and last order", async () => {
    const { samBerlin, samBoston } = sandbox.seeded!.customers;
    const id = failureKey("sandbox", "ct-to-crm", "order", sandbox.seeded!.orders.ambiguousGuest!);
    const review = await api.call(failures.review, { params: { id } }, { permissions: view });
    expect(review.answer?.subject).toEqual({ orderNumber: "SB-1004", email: "Sam.Shared@example.com", name: "Guest Shopper" });
    const candidates = review.answer!.match!.candidates;
    expect(candidates.map((c) => c.sourceId).sort()).toEqual([samBerlin, samBoston].sort());
    expect(candidates.find((c) => c.sourceId === samBerlin)).toMatchObject({ name: "Sam Berlin", email: "sam.shared@example.com", stores: ["berlin"] });
    expect(candidates.find((c) => c.sourceId === samBoston)).toMatchObject({ name: "Sam Boston", stores: ["boston"] });
    expect(review.answer!.match!.decision).toBeUndefined();
  });

  it("resolves the ambiguous order to the chosen person: the CRM then holds one order linked to that contact, and the decision names who took it", async () => {
    const { samBerlin } = sandbox.seeded!.customers;
    const orderId = sandbox.seeded!.orders.ambiguousGuest!;
    const id = failureKey("sandbox", "ct-to-crm", "order", orderId);
    expect((await api.call(failures.resolveMatch, { params: { id }, body: { person: samBerlin! } }, { permissions: view })).status).toBe(403);
    expect((await api.call(failures.resolveMatch, { params: { id }, body: { person: "someone-else" } }, mia)).status).toBe(409);

    const resolved = await api.call(failures.resolveMatch, { params: { id }, body: { person: samBerlin! } }, mia);
    expect(resolved.status).toBe(200);
    expect(resolved.answer).toMatchObject({
      outcome: "resolved",
      failure: { state: "resolved" },
      decision: { person: { sourceId: samBerlin, name: "Sam Berlin" }, decidedBy: { userId: "user-mia", name: "Mia Merchant-Müller" } },
    });
    const orders = await ordersOf(orderId);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.Contact__r?.CT_Customer_Id__c).toBe(samBerlin);

    const review = await api.call(failures.review, { params: { id } }, { permissions: view });
    expect(review.answer!.match).toMatchObject({ candidates: [], decision: { person: { sourceId: samBerlin }, decidedBy: { name: "Mia Merchant-Müller" } } });
    // Decided once: a second decision on the resolved failure is refused.
    expect((await api.call(failures.resolveMatch, { params: { id }, body: { separate: true } }, mia)).status).toBe(409);
  });

  it("keeps the decision for the guest's next order: written to the chosen person, no review", async () => {
    const next = await importOrder(sandbox.api, {
      orderNumber: "SB-2001",
      email: "sam.shared@example.com",
      store: "berlin",
      currency: "EUR",
      lines: [{ sku: "CUP-ESP", name: "Espresso cup", quantity: 1, cents: 1000 }],
    });
    await sandbox.relay.drained();
    const orders = await until(async () => ((await ordersOf(next)).length ? ordersOf(next) : undefined));
    expect(orders[0]!.Contact__r?.CT_Customer_Id__c).toBe(sandbox.seeded!.customers.samBerlin);
    expect(await sandbox.runtimes.service.failures.get(failureKey("sandbox", "ct-to-crm", "order", next))).toBeUndefined();
  });

  it("records who saved a mapping version: the session's user ID and the name the app sent", async () => {
    const { answer } = await api.call(mappings.get, {}, { permissions: view });
    expect((await api.call(mappings.save, { body: answer!.current }, mia)).answer).toEqual({ version: 1 });
    const after = await api.call(mappings.get, {}, { permissions: view });
    expect(after.answer!.history).toEqual([{ version: 1, savedAt: expect.any(String), savedBy: "user-mia", savedByName: "Mia Merchant-Müller" }]);
    // A version's document, so a rollback can say what it would change.
    expect((await api.call(mappings.version, { params: { version: 0 } }, { permissions: view })).answer).toEqual({ version: 0, config: answer!.current });
    expect((await api.call(mappings.version, { params: { version: 7 } }, { permissions: view })).status).toBe(404);
  });
});
