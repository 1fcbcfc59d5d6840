import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorNameHeader, operationConflictSchema, serviceApi, type Operation } from "@ct-crm-sync/core/api/contract";
import { loadConfig } from "@ct-crm-sync/core/config/env";
import { createServiceApp } from "../src/app";
import { serviceEnv } from "../src/config";
import { startSandbox, type Sandbox } from "../../test/sandbox/sandbox";
import { createCustomer, seedProjectSetup } from "../../test/sandbox/seed";
import { startSessionIssuer, type SessionIssuer } from "../../test/support/mc-session";
import { until } from "../../test/support/until";
import { manage, serviceClient, view, type ServiceClient } from "./service-client";

const { operations } = serviceApi;
const asMia = { subject: "user-mia", headers: { [actorNameHeader]: encodeURIComponent("Mia Merchant") } };

/**
 * Operator actions through the service: started with the Manage permission,
 * recorded with who asked, handed to the job with the service's credential
 * (the job refuses anything else), watched through GET; when the hand-off is
 * lost, the job's next scheduled run takes the operation.
 */
describe("service API: operations handed to the job", () => {
  let sandbox: Sandbox;
  let mc: SessionIssuer;
  let api: ServiceClient;
  let customers: string[];

  const finished = (client: ServiceClient, id: string) =>
    until(async () => {
      const { answer } = await client.call(operations.get, { params: { id } }, { permissions: view });
      return answer && (answer.state === "succeeded" || answer.state === "failed") ? answer : undefined;
    }, 30_000);

  beforeAll(async () => {
    mc = await startSessionIssuer();
    sandbox = await startSandbox({ ports: "ephemeral", captureLogs: true, mcApiUrl: mc.issuer });
    await seedProjectSetup(sandbox.api);
    customers = [];
    for (const n of [1, 2, 3]) {
      customers.push(await createCustomer(sandbox.api, { email: `operator.${n}@example.com`, firstName: "Op", lastName: `Erator${n}`, store: "berlin", country: "DE" }));
    }
    await sandbox.relay.drained();
    api = serviceClient(sandbox.urls.service, mc, sandbox.emulator.projectKey);
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
    await mc?.close();
  });

  it("refuses to start without the Manage permission (403) and records nothing", async () => {
    const refused = await api.call(operations.start, { body: { kind: "backfill" } }, { permissions: view });
    expect(refused).toEqual({ status: 403, error: "this needs the ManageCrmSync permission" });
    expect((await api.call(operations.list, {}, { permissions: view })).answer).toEqual({ recent: [] });
  });

  it("refuses what it cannot understand (400)", async () => {
    const send = (body: unknown) => api.send("POST", "/api/operations", { body, permissions: manage });
    expect((await send({ kind: "delete-everything" })).status).toBe(400);
    expect((await send({ kind: "backfill", scope: { idFrom: "b", idTo: "a" } })).status).toBe(400);
    expect((await send({ kind: "reconcile" })).status).toBe(400);
  });

  it("records a started backfill with who asked, hands it to the job, and shows it finish with its progress", async () => {
    const started = await api.call(operations.start, { body: { kind: "backfill", entities: ["customer"], scope: { store: "berlin" } } }, { permissions: manage, ...asMia });
    expect(started.status).toBe(200);
    expect(started.answer).toMatchObject({
      state: "queued",
      connection: sandbox.runtimes.service.connection,
      request: { kind: "backfill", entities: ["customer"], scope: { store: "berlin" } },
      requestedBy: { userId: "user-mia", name: "Mia Merchant" },
    });
    const id = started.answer!.id;
    expect(sandbox.logs!.entries).toContainEqual(expect.objectContaining({ message: "operation requested", meta: expect.objectContaining({ operationId: id, userId: "user-mia", kind: "backfill" }) }));

    // No scheduled run happens here: only the service's signed hand-off can have run it.
    const done = await finished(api, id);
    expect(done.state).toBe("succeeded");
    const berlin = customers.length; // every customer of this test is in Berlin; the seed adds none
    expect(done.progress).toMatchObject({ entities: [{ entity: "customer", done: berlin, total: berlin }], done: berlin, total: berlin, secondsLeft: 0 });
    expect(done.counts).toMatchObject({ "backfill.customer.read": berlin });
    expect(sandbox.logs!.entries).toContainEqual(expect.objectContaining({ message: "the job ran the operation", meta: expect.objectContaining({ operationId: id, status: 200 }) }));

    const list = await api.call(operations.list, {}, { permissions: view });
    expect(list.answer?.active).toBeUndefined();
    expect(list.answer?.recent.map((o) => o.id)).toEqual([id]);
  });

  describe("when the hand-off to the job is lost", () => {
    let server: Server;
    let offline: ServiceClient;

    beforeAll(async () => {
      // The same service with a job URL nothing listens on; its audience is its own URL, known once it listens.
      const signingKey = loadConfig(serviceEnv.pick({ JOB_SIGNING_KEY: true }), sandbox.env).JOB_SIGNING_KEY!;
      const holder: { app?: Express } = {};
      server = http.createServer((req, res) => holder.app!(req, res));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      holder.app = createServiceApp(sandbox.runtimes.service, { mcApiUrl: mc.issuer, publicUrl: url, job: { url: "http://127.0.0.1:9/", signingKey } });
      offline = serviceClient(url, mc, sandbox.emulator.projectKey);
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("keeps the operation queued, refuses a second start with it (409), and the job's next scheduled run takes it", async () => {
      const started = await offline.call(operations.start, { body: { kind: "reconcile", repair: false } }, { permissions: manage, ...asMia });
      expect(started.status).toBe(200);
      const id = started.answer!.id;
      await until(async () => (sandbox.logs!.entries.some((e) => e.meta.operationId === id && String(e.message).startsWith("no answer from the job")) ? true : undefined));
      expect((await offline.call(operations.get, { params: { id } }, { permissions: view })).answer?.state).toBe("queued");

      const second = await offline.send("POST", "/api/operations", { body: { kind: "backfill" }, permissions: manage });
      expect(second.status).toBe(409);
      expect(operationConflictSchema.parse(second.body).operation).toMatchObject({ id, state: "queued" });
      expect((await offline.call(operations.list, {}, { permissions: view })).answer?.active?.id).toBe(id);

      // Connect's cron: no body, no credential.
      const scheduled = await fetch(sandbox.urls.job, { method: "POST" });
      expect(scheduled.status).toBe(200);
      expect(await scheduled.json()).toMatchObject({ operation: { id, state: "succeeded" } });
      const done: Operation = await finished(offline, id);
      expect(done).toMatchObject({ state: "succeeded", requestedBy: { userId: "user-mia", name: "Mia Merchant" } });
      expect(Object.keys(done.counts ?? {}).some((name) => name.startsWith("reconcile."))).toBe(true);
    });
  });
});
