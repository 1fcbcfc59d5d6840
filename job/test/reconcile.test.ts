import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJwtSigner, type JwtSigner } from "../../test/mc/jwt";
import { seedCustomers } from "../../test/bench/seed-data";
import { type Sandbox, startSandbox } from "../../test/sandbox/sandbox";
import { soql } from "../../test/support/salesforce-reader";

/**
 * Reconciliation after hand edits made through Salesforce's own API: it
 * reports exactly those edits, repairs them, and the report is readable
 * through the service API.
 */
describe("job: reconciliation after hand edits (Salesforce)", () => {
  let sandbox: Sandbox;
  let signer: JwtSigner;
  let jwks: Server;
  let issuer: string;
  let ids: string[];

  async function sf(method: string, path: string, body?: unknown) {
    const token = await fetch(`${sandbox.urls.salesforce}/services/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "sandbox-client", client_secret: "sandbox-secret" }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const response = await fetch(`${sandbox.urls.salesforce}/services/data/v62.0${path}`, {
      method,
      headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
  }
  const job = async (body: unknown) => {
    const response = await fetch(sandbox.urls.job, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { counts: Record<string, number> } };
  };
  const contactOf = async (id: string) => (await soql<{ Id: string; FirstName: string; LastName: string }>(sandbox.urls.salesforce, `SELECT Id, FirstName, LastName FROM Contact WHERE CT_Customer_Id__c = '${id}'`));

  beforeAll(async () => {
    signer = createJwtSigner();
    jwks = http.createServer((req, res) => {
      if (req.url === "/.well-known/jwks.json") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(signer.jwks()));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
    sandbox = await startSandbox({ ports: "ephemeral", crm: "salesforce", captureLogs: true, mcApiUrl: issuer });
    ids = await seedCustomers(sandbox.emulator, 40, { ordersPerCustomer: 1 });
    const first = await job({ tasks: ["backfill"], entities: ["customer"] });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
    jwks?.closeAllConnections();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  it("reports exactly the hand edits, repairs them, and serves the report", async () => {
    const [edited, deleted, missed] = [ids[3]!, ids[7]!, ids[11]!];
    // A commercetools-owned field changed in Salesforce.
    await sf("PATCH", `/sobjects/Contact/${(await contactOf(edited))[0]!.Id}`, { FirstName: "Hand-edited" });
    // A synced contact deleted in Salesforce.
    await sf("DELETE", `/sobjects/Contact/${(await contactOf(deleted))[0]!.Id}`);
    // A contact claiming a customer that does not exist.
    await sf("POST", `/sobjects/Contact`, { LastName: "Ghost", CT_Customer_Id__c: "no-such-customer" });
    // An update in commercetools the sync never saw (written straight into the emulator's storage).
    const project = sandbox.emulator.mock.project(sandbox.emulator.projectKey);
    const customer = (await project.get("customer", missed)) as unknown as Record<string, unknown>;
    await project.unsafeAdd("customer", { ...customer, version: 2, lastName: "Renamed" } as never);

    const run = await job({ tasks: ["reconcile"] });
    expect(run.status, JSON.stringify(run.body)).toBe(200);

    const now = Math.floor(Date.now() / 1000);
    const path = "/api/reconciliation/latest";
    const token = signer.sign({
      iss: issuer,
      sub: "user-1",
      aud: `${sandbox.urls.service}${path}`,
      iat: now,
      exp: now + 60,
      [`${issuer}/claims/project_key`]: sandbox.emulator.projectKey,
      [`${issuer}/claims/user_permissions`]: ["ViewCrmSync"],
    });
    const response = await fetch(`${sandbox.urls.service}${path}`, {
      headers: { authorization: `Bearer ${token}`, "x-mc-api-cloud-identifier": "gcp-eu", "x-mc-api-forward-to-version": "v2" },
    });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { counts: Record<string, number>; items: { kind: string; sourceId: string; fields?: string[] }[] };
    expect(report.counts).toMatchObject({
      commercetools: 40,
      crm: 40,
      inSync: 37,
      missing_in_crm: 1,
      stale_in_crm: 1,
      orphaned_in_crm: 1,
      ownership_violation: 1,
      repaired: 4,
      repairFailed: 0,
    });
    const byKind = Object.fromEntries(report.items.map((i) => [i.kind, i]));
    expect(byKind.ownership_violation).toMatchObject({ sourceId: edited, fields: ["FirstName"] });
    expect(byKind.missing_in_crm).toMatchObject({ sourceId: deleted });
    expect(byKind.orphaned_in_crm).toMatchObject({ sourceId: "no-such-customer" });
    expect(byKind.stale_in_crm).toMatchObject({ sourceId: missed, fields: ["LastName"] });

    // Repaired in Salesforce itself.
    expect((await contactOf(edited))[0]!.FirstName).toBe("First3");
    expect(await contactOf(deleted)).toHaveLength(1);
    expect(await contactOf("no-such-customer")).toHaveLength(0);
    expect((await contactOf(missed))[0]!.LastName).toBe("Renamed");

    // A second reconciliation finds nothing left.
    const again = await job({ tasks: ["reconcile"], repair: false });
    expect(again.body.counts).toMatchObject({ "reconcile.inSync": 40, "reconcile.missing_in_crm": 0, "reconcile.stale_in_crm": 0, "reconcile.orphaned_in_crm": 0, "reconcile.ownership_violation": 0 });
  }, 60_000);
});
