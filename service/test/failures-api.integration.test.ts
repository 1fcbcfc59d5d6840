import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceApi, type FailureListQuery } from "@ct-crm-sync/core/api/contract";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import type { Failure } from "@ct-crm-sync/core/domain/failure";
import { containers } from "@ct-crm-sync/core/state/containers";
import { startSandbox, type Sandbox } from "../../test/sandbox/sandbox";
import { createCustomer, seedProjectSetup } from "../../test/sandbox/seed";
import { createJwtSigner } from "../../test/mc/jwt";
import { startSessionIssuer, type SessionIssuer } from "../../test/support/mc-session";
import { soql } from "../../test/support/salesforce-reader";
import { armFault, clearFaults, startPushSink, type PushSink } from "../../test/support/push-sink";
import { pushEnvelope } from "../../test/sandbox/pubsub-relay";
import { manage, serviceClient, view, type ServiceClient } from "./service-client";
import { postToJob } from "../../test/support/job-requests";

const { failures, log, status, reconciliation } = serviceApi;

describe("service API: failures, replay, log, status and reconciliation behind the Merchant Center session", () => {
  let sandbox: Sandbox;
  let mc: SessionIssuer;
  let sink: PushSink;
  let api: ServiceClient;
  let seq = 0;

  /**
   * A customer whose sync fails with the given CRM answer. Its message is pushed
   * to the event app once, by the test (the relay only feeds the sink), so no
   * redelivery can sync it behind the test's back.
   */
  async function failingCustomer(fault: Record<string, unknown>) {
    seq++;
    const id = await createCustomer(sandbox.api, { email: `svc.${seq}@example.com`, firstName: "Sam", lastName: `Service${seq}`, store: "berlin", country: "DE" });
    await sandbox.relay.drained();
    await armFault(sandbox.urls.salesforce, { ...fault, times: 1000, pathIncludes: "/composite/sobjects/Contact" });
    const response = await fetch(sandbox.urls.event, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(pushEnvelope(sink.about(id)[0])),
    });
    await clearFaults(sandbox.urls.salesforce);
    expect(response.status).toBe(204);
    return { id, failureId: failureKey("sandbox", "ct-to-crm", "person", id) };
  }

  const contactsOf = (id: string) => soql(sandbox.urls.salesforce, `SELECT Id FROM Contact WHERE CT_Customer_Id__c = '${id}'`);

  let transient: { id: string; failureId: string }[];
  let permanent: { id: string; failureId: string };
  let startedAt: string;

  beforeAll(async () => {
    mc = await startSessionIssuer();
    sandbox = await startSandbox({ ports: "ephemeral", captureLogs: true, mcApiUrl: mc.issuer });
    api = serviceClient(sandbox.urls.service, mc, sandbox.emulator.projectKey);
    await seedProjectSetup(sandbox.api);
    sink = await startPushSink();
    sandbox.setPushUrl(sink.url);
    startedAt = new Date().toISOString();
    transient = [];
    for (let i = 0; i < 3; i++) transient.push(await failingCustomer({ status: 503 }));
    permanent = await failingCustomer({ status: 400 });
  });
  afterAll(async () => {
    await sink?.close();
    await sandbox?.stop();
    await mc?.close();
  });

  describe("session and permissions", () => {
    it("refuses a request without a session token (401)", async () => {
      const response = await api.call(failures.list, {}, { token: null });
      expect(response.status).toBe(401);
      expect(response.error).toEqual(expect.any(String));
    });

    it("refuses forged, expired, wrongly addressed tokens (401)", async () => {
      const forged = api.sessionToken("/api/failures", {}, createJwtSigner());
      expect((await api.call(failures.list, {}, { token: forged })).status).toBe(401);
      const [header, payload, signature] = api.sessionToken("/api/failures").split(".");
      const tampered = JSON.parse(Buffer.from(payload!, "base64url").toString());
      tampered[`${mc.issuer}/claims/user_permissions`] = ["ManageCrmSync"];
      const edited = `${header}.${Buffer.from(JSON.stringify(tampered)).toString("base64url")}.${signature}`;
      expect((await api.call(failures.list, {}, { token: edited })).status).toBe(401);
      const issuedAt = Math.floor(Date.now() / 1000) - 120;
      const expired = mc.token({ audience: `${sandbox.urls.service}/api/failures`, projectKey: sandbox.emulator.projectKey, permissions: manage, issuedAt });
      expect((await api.call(failures.list, {}, { token: expired })).status).toBe(401);
      // A token minted for another path of this service is not valid here.
      expect((await api.call(failures.list, {}, { token: api.sessionToken("/api/status") })).status).toBe(401);
      expect((await api.call(failures.list, {}, { token: "not-a-jwt" })).status).toBe(401);
    });

    it("refuses a session for another project, or without the permission (403)", async () => {
      expect((await api.call(failures.list, {}, { projectKey: "someone-else" })).status).toBe(403);
      expect((await api.call(failures.list, {}, { permissions: [] })).status).toBe(403);
      expect((await api.call(log.list, {}, { permissions: ["ViewOtherApp"] })).status).toBe(403);
    });

    it("lets View read but not replay or dismiss; Manage does both", async () => {
      const params = { id: permanent.failureId };
      expect((await api.call(failures.list, {}, { permissions: view })).status).toBe(200);
      expect((await api.call(failures.get, { params }, { permissions: view })).status).toBe(200);
      expect((await api.call(status.get, {}, { permissions: view })).status).toBe(200);
      expect((await api.call(failures.replay, { params }, { permissions: view })).status).toBe(403);
      expect((await api.call(failures.dismiss, { params }, { permissions: view })).status).toBe(403);
      expect((await api.call(failures.replayMany, { body: { ids: [permanent.failureId] } }, { permissions: view })).status).toBe(403);
      expect((await api.call(failures.list, {}, { permissions: ["canManageCrmSync"] })).status).toBe(200);
      expect((await api.call(failures.get, { params })).answer?.state).toBe("open");
    });
  });

  describe("finding and inspecting failures", () => {
    it("filters by CRM, entity, error class, state and date", async () => {
      const list = async (query: FailureListQuery) => {
        const response = await api.call(failures.list, { query });
        expect(response.status).toBe(200);
        return response.answer!.items;
      };
      const ids = (items: { id: string }[]) => items.map((f) => f.id).sort();
      const unavailable = await list({ errorClass: "crm_unavailable", state: "retrying", entity: "person", crm: "salesforce" });
      expect(ids(unavailable)).toEqual(transient.map((t) => t.failureId).sort());
      const open = await list({ state: "open", entity: "person" });
      expect(ids(open)).toEqual([permanent.failureId]);
      expect(open[0]).toMatchObject({ errorClass: "validation", status: 400, attempts: 1 });
      expect(open[0]).not.toHaveProperty("payload");
      expect(await list({ from: new Date(Date.now() + 3600_000).toISOString() })).toEqual([]);
      expect(await list({ from: startedAt, to: new Date().toISOString(), entity: "person" })).toHaveLength(4);
      // What the contract refuses, sent anyway: a 400 naming the field.
      expect(await api.send("GET", "/api/failures?errorClass=bogus")).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^query\.errorClass: /) } });
      expect((await api.send("GET", "/api/failures?limit=0")).status).toBe(400);
      expect((await api.send("GET", "/api/failures?cursor=abc")).status).toBe(400);
    });

    it("pages with a cursor, every entry once", async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await api.call(failures.list, { query: { entity: "person", limit: 2, cursor } });
        expect(page.status).toBe(200);
        expect(page.answer!.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.answer!.items.map((f) => f.id));
        cursor = page.answer!.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(seen.sort()).toEqual([...transient.map((t) => t.failureId), permanent.failureId].sort());
    });

    it("shows one failure with its minimised payload and history; 404 for an unknown ID", async () => {
      const one = await api.call(failures.get, { params: { id: transient[0]!.failureId } }, { permissions: view });
      expect(one.status).toBe(200);
      const failure = one.answer!;
      expect(failure).toMatchObject({ sourceId: transient[0]!.id, entity: "person", errorClass: "crm_unavailable", status: 503, state: "retrying" });
      expect(failure.nextAttemptAt).toEqual(expect.any(String));
      expect(failure.history[0]).toMatchObject({ errorClass: "crm_unavailable", correlationId: failure.correlationId });
      expect(failure.payload).toMatchObject({ sourceId: transient[0]!.id, email: expect.stringMatching(/^s\*\*\*@example\.com$/) });
      expect(await api.call(failures.get, { params: { id: "no-such-failure" } })).toEqual({ status: 404, error: "no failure no-such-failure" });
    });
  });

  describe("replay and dismiss", () => {
    it("replays one failure from current state once the cause is fixed: resolved, in the CRM once, idempotent", async () => {
      const target = transient[0]!;
      // The customer changed after the failure: replay must write the current name, not the stored payload.
      const { body: customer } = await sandbox.api.customers().withId({ ID: target.id }).get().execute();
      await sandbox.api.customers().withId({ ID: target.id }).post({ body: { version: customer.version, actions: [{ action: "setLastName", lastName: "Renamed" }] } }).execute();
      const params = { id: target.failureId };
      const first = await api.call(failures.replay, { params }, { correlationId: "replay-one-1" });
      expect(first.status).toBe(200);
      expect(first.answer!.outcome).toBe("resolved");
      expect(first.answer!.failure).toMatchObject({ state: "resolved", resolvedAt: expect.any(String) });
      const rows = await soql<{ LastName: string }>(sandbox.urls.salesforce, `SELECT LastName FROM Contact WHERE CT_Customer_Id__c = '${target.id}'`);
      expect(rows.map((r) => r.LastName)).toEqual(["Renamed"]);
      const writesBefore = sandbox.salesforce.requests.filter((r) => r.method !== "GET").length;
      const again = await api.call(failures.replay, { params });
      expect(again.answer!.outcome).toBe("resolved");
      expect(sandbox.salesforce.requests.filter((r) => r.method !== "GET").length).toBe(writesBefore);
      expect(await contactsOf(target.id)).toHaveLength(1);
    });

    it("reports a replay that fails again and keeps the entry with one more attempt", async () => {
      const target = transient[1]!;
      await armFault(sandbox.urls.salesforce, { status: 503, times: 1000, pathIncludes: "/composite/sobjects/Contact" });
      const replay = await api.call(failures.replay, { params: { id: target.failureId } });
      await clearFaults(sandbox.urls.salesforce);
      expect(replay.status).toBe(200);
      expect(replay.answer!.outcome).toBe("failed");
      expect(replay.answer!.failure).toMatchObject({ state: "retrying", attempts: 2 });
    });

    it("replays a filtered selection and an explicit list (unknown IDs reported)", async () => {
      const bulk = await api.call(failures.replayMany, { body: { filter: { errorClass: "crm_unavailable", state: "retrying" } } });
      expect(bulk.status).toBe(200);
      expect(bulk.answer!.results).toEqual(
        expect.arrayContaining([transient[1], transient[2]].map((t) => ({ id: t!.failureId, outcome: "resolved" }))),
      );
      for (const t of transient) expect(await contactsOf(t.id)).toHaveLength(1);
      const byIds = await api.call(failures.replayMany, { body: { ids: [transient[2]!.failureId, "nope"] } });
      expect(byIds.answer!.results).toEqual([
        { id: transient[2]!.failureId, outcome: "resolved" },
        { id: "nope", outcome: "not_found" },
      ]);
      expect((await api.send("POST", "/api/failures/replay", { body: { ids: [] } })).status).toBe(400);
      expect((await api.send("POST", "/api/failures/replay", { body: { everything: true } })).status).toBe(400);
    });

    it("dismisses a failure after review; it leaves the open list", async () => {
      const dismissed = await api.call(failures.dismiss, { params: { id: permanent.failureId } });
      expect(dismissed.status).toBe(200);
      expect(dismissed.answer!.state).toBe("dismissed");
      const open = await api.call(failures.list, { query: { state: "open", entity: "person" } });
      expect(open.answer!.items.map((f) => f.id)).not.toContain(permanent.failureId);
      expect((await api.call(failures.dismiss, { params: { id: "nope" } })).status).toBe(404);
    });

    it("lists the replay's per-record outcomes in the sync log by correlation ID", async () => {
      const replayed = await api.call(log.list, { query: { correlationId: "replay-one-1", limit: 500 } }, { permissions: view });
      expect(replayed.status).toBe(200);
      expect(replayed.answer!.items).toEqual([
        expect.objectContaining({ source: "replay", outcome: "written", entity: "person", sourceId: transient[0]!.id, correlationId: "replay-one-1" }),
      ]);
      const failed = await api.call(log.list, { query: { outcome: "failed", limit: 500 } }, { permissions: view });
      expect(failed.answer!.items.length).toBeGreaterThan(0);
      expect(failed.answer!.items.every((e) => e.outcome === "failed")).toBe(true);
      // An entry keeps its ID whatever the filter.
      const unfiltered = await api.call(log.list, { query: { limit: 500 } }, { permissions: view });
      const byId = new Map(unfiltered.answer!.items.map((e) => [e.id, e]));
      for (const entry of failed.answer!.items) expect(byId.get(entry.id)).toEqual(entry);
      expect((await api.send("GET", "/api/log?outcome=maybe")).status).toBe(400);
    });
  });

  describe("job", () => {
    it("retries entries whose next attempt time has come, and leaves the others", async () => {
      const due = await failingCustomer({ status: 503 });
      const notDue = await failingCustomer({ status: 503 });
      // Time has passed for one of them: its next attempt is now in the past.
      const stored = await sandbox.runtimes.job.store.get<Failure>(containers.failures, due.failureId);
      await sandbox.runtimes.job.store.put(containers.failures, due.failureId, { ...stored!.value, nextAttemptAt: new Date(Date.now() - 1000).toISOString() }, stored!.version);

      // Retries only: delta sync would (rightly) pick both customers up as changed.
      const response = await postToJob(sandbox, { tasks: ["retries"] });
      expect(response.status).toBe(200);
      const run = (await response.json()) as { outcome: string; counts: Record<string, number> };
      expect(run.outcome).toBe("succeeded");
      expect(run.counts).toMatchObject({ retried: 1, retriedResolved: 1 });
      expect((await sandbox.runtimes.job.failures.get(due.failureId))?.state).toBe("resolved");
      expect((await sandbox.runtimes.job.failures.get(notDue.failureId))?.state).toBe("retrying");
      expect(await contactsOf(due.id)).toHaveLength(1);
      expect(await contactsOf(notDue.id)).toHaveLength(0);
      const health = await api.call(status.get, {}, { permissions: view });
      const [connection] = health.answer!.connections;
      expect(connection).toMatchObject({ connection: sandbox.runtimes.service.connection, crm: "salesforce", lastJobRun: { outcome: "succeeded" } });
      expect(connection!.openFailuresByClass.crm_unavailable).toBe(1);
      expect(connection!.processed).toHaveLength(24);
      expect(connection!.processed.reduce((sum, hour) => sum + hour.failed, 0)).toBeGreaterThan(0);
    });

    it("serves the latest reconciliation report once one has run (404 before)", async () => {
      expect(await api.call(reconciliation.latest, {}, { permissions: view })).toEqual({ status: 404, error: "no reconciliation has run yet" });
      const response = await postToJob(sandbox, { tasks: ["reconcile"], repair: false });
      expect(response.status).toBe(200);
      const report = await api.call(reconciliation.latest, {}, { permissions: view });
      expect(report.status).toBe(200);
      // The person still waiting for its retry is missing in Salesforce; nothing is repaired when told only to report.
      expect(report.answer).toMatchObject({ crm: "salesforce", repair: false, counts: { repaired: 0 } });
      expect(report.answer!.counts.missing_in_crm).toBeGreaterThan(0);
    });
  });
});
