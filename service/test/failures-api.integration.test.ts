import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureKey } from "@ct-crm-sync/core/domain/keys";
import type { Failure } from "@ct-crm-sync/core/domain/failure";
import { containers } from "@ct-crm-sync/core/state/containers";
import { startSandbox, type Sandbox } from "../../test/sandbox/sandbox";
import { createCustomer, seedProjectSetup } from "../../test/sandbox/seed";
import { createJwtSigner, type JwtSigner } from "../../test/mc/jwt";
import { forwardedHeaders, startSessionIssuer, type SessionIssuer } from "../../test/support/mc-session";
import { soql } from "../../test/support/salesforce-reader";
import { armFault, clearFaults, startPushSink, type PushSink } from "../../test/support/push-sink";
import { pushEnvelope } from "../../test/sandbox/pubsub-relay";

const view = ["ViewCrmSync"];
const manage = ["ViewCrmSync", "ManageCrmSync"];

type CallOptions = { permissions?: string[]; projectKey?: string; token?: string | null; body?: unknown; correlationId?: string };

describe("service API: failures, replay, log behind the Merchant Center session", () => {
  let sandbox: Sandbox;
  let mc: SessionIssuer;
  let sink: PushSink;
  let seq = 0;

  /** A session JWT as `/proxy/forward-to` makes it: issuer = MC API, audience = the URL called. */
  function sessionToken(path: string, options: CallOptions = {}, by?: JwtSigner) {
    const claims = {
      audience: `${sandbox.urls.service}${path.split("?")[0]}`,
      projectKey: options.projectKey ?? sandbox.emulator.projectKey,
      permissions: options.permissions ?? manage,
    };
    return mc.token(claims, by);
  }

  async function call<T = Record<string, unknown>>(method: string, path: string, options: CallOptions = {}) {
    const headers: Record<string, string> = { ...forwardedHeaders };
    const token = options.token === undefined ? sessionToken(path, options) : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.correlationId) headers["x-correlation-id"] = options.correlationId;
    const response = await fetch(`${sandbox.urls.service}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    expect(text).not.toMatch(/\n\s+at \S|node_modules|sandbox-secret/);
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

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
      const response = await call("GET", "/api/failures", { token: null });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: expect.any(String) });
    });

    it("refuses forged, expired, wrongly addressed tokens (401)", async () => {
      const forged = sessionToken("/api/failures", {}, createJwtSigner());
      expect((await call("GET", "/api/failures", { token: forged })).status).toBe(401);
      const [header, payload, signature] = sessionToken("/api/failures").split(".");
      const tampered = JSON.parse(Buffer.from(payload!, "base64url").toString());
      tampered[`${mc.issuer}/claims/user_permissions`] = ["ManageCrmSync"];
      const edited = `${header}.${Buffer.from(JSON.stringify(tampered)).toString("base64url")}.${signature}`;
      expect((await call("GET", "/api/failures", { token: edited })).status).toBe(401);
      const issuedAt = Math.floor(Date.now() / 1000) - 120;
      const expired = mc.token({ audience: `${sandbox.urls.service}/api/failures`, projectKey: sandbox.emulator.projectKey, permissions: manage, issuedAt });
      expect((await call("GET", "/api/failures", { token: expired })).status).toBe(401);
      // A token minted for another path of this service is not valid here.
      expect((await call("GET", "/api/failures", { token: sessionToken("/api/status") })).status).toBe(401);
      expect((await call("GET", "/api/failures", { token: "not-a-jwt" })).status).toBe(401);
    });

    it("refuses a session for another project, or without the permission (403)", async () => {
      expect((await call("GET", "/api/failures", { projectKey: "someone-else" })).status).toBe(403);
      expect((await call("GET", "/api/failures", { permissions: [] })).status).toBe(403);
      expect((await call("GET", "/api/log", { permissions: ["ViewOtherApp"] })).status).toBe(403);
    });

    it("lets View read but not replay or dismiss; Manage does both", async () => {
      expect((await call("GET", "/api/failures", { permissions: view })).status).toBe(200);
      expect((await call("GET", `/api/failures/${permanent.failureId}`, { permissions: view })).status).toBe(200);
      expect((await call("GET", "/api/status", { permissions: view })).status).toBe(200);
      expect((await call("POST", `/api/failures/${permanent.failureId}/replay`, { permissions: view })).status).toBe(403);
      expect((await call("POST", `/api/failures/${permanent.failureId}/dismiss`, { permissions: view })).status).toBe(403);
      expect((await call("POST", "/api/failures/replay", { permissions: view, body: { ids: [permanent.failureId] } })).status).toBe(403);
      expect((await call("GET", "/api/failures", { permissions: ["canManageCrmSync"] })).status).toBe(200);
      expect((await call<Failure>("GET", `/api/failures/${permanent.failureId}`)).body.state).toBe("open");
    });
  });

  describe("finding and inspecting failures", () => {
    it("filters by CRM, entity, error class, state and date", async () => {
      const ids = (r: { body: { items: Failure[] } }) => r.body.items.map((f) => f.id).sort();
      const unavailable = await call<{ items: Failure[] }>("GET", "/api/failures?errorClass=crm_unavailable&state=retrying&entity=person&crm=salesforce");
      expect(unavailable.status).toBe(200);
      expect(ids(unavailable)).toEqual(transient.map((t) => t.failureId).sort());
      const open = await call<{ items: Failure[] }>("GET", "/api/failures?state=open&entity=person");
      expect(ids(open)).toEqual([permanent.failureId]);
      expect(open.body.items[0]).toMatchObject({ errorClass: "validation", status: 400, attempts: 1 });
      expect(open.body.items[0]).not.toHaveProperty("payload");
      const fromFuture = await call<{ items: Failure[] }>("GET", `/api/failures?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
      expect(fromFuture.body.items).toEqual([]);
      const window = await call<{ items: Failure[] }>("GET", `/api/failures?from=${encodeURIComponent(startedAt)}&to=${encodeURIComponent(new Date().toISOString())}&entity=person`);
      expect(window.body.items).toHaveLength(4);
      expect((await call("GET", "/api/failures?errorClass=bogus")).status).toBe(400);
      expect((await call("GET", "/api/failures?limit=0")).status).toBe(400);
      expect((await call("GET", "/api/failures?cursor=abc")).status).toBe(400);
    });

    it("pages with a cursor, every entry once", async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await call<{ items: Failure[]; nextCursor?: string }>("GET", `/api/failures?entity=person&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((f) => f.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(seen.sort()).toEqual([...transient.map((t) => t.failureId), permanent.failureId].sort());
    });

    it("shows one failure with its minimised payload and history; 404 for an unknown ID", async () => {
      const one = await call<Failure>("GET", `/api/failures/${transient[0]!.failureId}`, { permissions: view });
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ sourceId: transient[0]!.id, entity: "person", errorClass: "crm_unavailable", status: 503, state: "retrying" });
      expect(one.body.nextAttemptAt).toEqual(expect.any(String));
      expect(one.body.history[0]).toMatchObject({ errorClass: "crm_unavailable", correlationId: one.body.correlationId });
      expect(one.body.payload).toMatchObject({ sourceId: transient[0]!.id, email: expect.stringMatching(/^s\*\*\*@example\.com$/) });
      expect((await call("GET", "/api/failures/no-such-failure")).status).toBe(404);
    });
  });

  describe("replay and dismiss", () => {
    it("replays one failure from current state once the cause is fixed: resolved, in the CRM once, idempotent", async () => {
      const target = transient[0]!;
      // The customer changed after the failure: replay must write the current name, not the stored payload.
      const { body: customer } = await sandbox.api.customers().withId({ ID: target.id }).get().execute();
      await sandbox.api.customers().withId({ ID: target.id }).post({ body: { version: customer.version, actions: [{ action: "setLastName", lastName: "Renamed" }] } }).execute();
      const first = await call<{ outcome: string; failure: Failure }>("POST", `/api/failures/${target.failureId}/replay`, { correlationId: "replay-one-1" });
      expect(first.status).toBe(200);
      expect(first.body.outcome).toBe("resolved");
      expect(first.body.failure).toMatchObject({ state: "resolved", resolvedAt: expect.any(String) });
      const rows = await soql<{ LastName: string }>(sandbox.urls.salesforce, `SELECT LastName FROM Contact WHERE CT_Customer_Id__c = '${target.id}'`);
      expect(rows.map((r) => r.LastName)).toEqual(["Renamed"]);
      const writesBefore = sandbox.salesforce.requests.filter((r) => r.method !== "GET").length;
      const again = await call<{ outcome: string }>("POST", `/api/failures/${target.failureId}/replay`);
      expect(again.body.outcome).toBe("resolved");
      expect(sandbox.salesforce.requests.filter((r) => r.method !== "GET").length).toBe(writesBefore);
      expect(await contactsOf(target.id)).toHaveLength(1);
    });

    it("reports a replay that fails again and keeps the entry with one more attempt", async () => {
      const target = transient[1]!;
      await armFault(sandbox.urls.salesforce, { status: 503, times: 1000, pathIncludes: "/composite/sobjects/Contact" });
      const replay = await call<{ outcome: string; failure: Failure }>("POST", `/api/failures/${target.failureId}/replay`);
      await clearFaults(sandbox.urls.salesforce);
      expect(replay.status).toBe(200);
      expect(replay.body.outcome).toBe("failed");
      expect(replay.body.failure).toMatchObject({ state: "retrying", attempts: 2 });
    });

    it("replays a filtered selection and an explicit list (unknown IDs reported)", async () => {
      const bulk = await call<{ results: { id: string; outcome: string }[] }>("POST", "/api/failures/replay", {
        body: { filter: { errorClass: "crm_unavailable", state: "retrying" } },
      });
      expect(bulk.status).toBe(200);
      expect(bulk.body.results).toEqual(
        expect.arrayContaining([transient[1], transient[2]].map((t) => ({ id: t!.failureId, outcome: "resolved" }))),
      );
      for (const t of transient) expect(await contactsOf(t.id)).toHaveLength(1);
      const byIds = await call<{ results: { id: string; outcome: string }[] }>("POST", "/api/failures/replay", {
        body: { ids: [transient[2]!.failureId, "nope"] },
      });
      expect(byIds.body.results).toEqual([
        { id: transient[2]!.failureId, outcome: "resolved" },
        { id: "nope", outcome: "not_found" },
      ]);
      expect((await call("POST", "/api/failures/replay", { body: { ids: [] } })).status).toBe(400);
      expect((await call("POST", "/api/failures/replay", { body: { everything: true } })).status).toBe(400);
    });

    it("dismisses a failure after review; it leaves the open list", async () => {
      const dismissed = await call<Failure>("POST", `/api/failures/${permanent.failureId}/dismiss`);
      expect(dismissed.status).toBe(200);
      expect(dismissed.body.state).toBe("dismissed");
      const open = await call<{ items: Failure[] }>("GET", "/api/failures?state=open&entity=person");
      expect(open.body.items.map((f) => f.id)).not.toContain(permanent.failureId);
      expect((await call("POST", "/api/failures/nope/dismiss")).status).toBe(404);
    });

    it("lists the replay's per-record outcomes in the sync log by correlation ID", async () => {
      const log = await call<{ items: { source: string; outcome: string; sourceId: string; correlationId: string }[] }>(
        "GET",
        "/api/log?correlationId=replay-one-1&limit=500",
        { permissions: view },
      );
      expect(log.status).toBe(200);
      expect(log.body.items).toEqual([
        expect.objectContaining({ source: "replay", outcome: "written", entity: "person", sourceId: transient[0]!.id, correlationId: "replay-one-1" }),
      ]);
      const failed = await call<{ items: { outcome: string }[] }>("GET", "/api/log?outcome=failed&limit=500", { permissions: view });
      expect(failed.body.items.length).toBeGreaterThan(0);
      expect(failed.body.items.every((e) => e.outcome === "failed")).toBe(true);
      expect((await call("GET", "/api/log?outcome=maybe")).status).toBe(400);
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
      const response = await fetch(sandbox.urls.job, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tasks: ["retries"] }),
      });
      expect(response.status).toBe(200);
      const run = (await response.json()) as { outcome: string; counts: Record<string, number> };
      expect(run.outcome).toBe("succeeded");
      expect(run.counts).toMatchObject({ retried: 1, retriedResolved: 1 });
      expect((await sandbox.runtimes.job.failures.get(due.failureId))?.state).toBe("resolved");
      expect((await sandbox.runtimes.job.failures.get(notDue.failureId))?.state).toBe("retrying");
      expect(await contactsOf(due.id)).toHaveLength(1);
      expect(await contactsOf(notDue.id)).toHaveLength(0);
      const status = await call<{ connections: { lastJobRun?: { outcome: string }; openFailuresByClass: Record<string, number> }[] }>("GET", "/api/status", { permissions: view });
      expect(status.body.connections[0]?.lastJobRun?.outcome).toBe("succeeded");
      expect(status.body.connections[0]?.openFailuresByClass.crm_unavailable).toBe(1);
    });
  });
});
