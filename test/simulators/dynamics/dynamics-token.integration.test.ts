import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import { tokenSource, type TokenSettings } from "@ct-crm-sync/core/crm/dynamics/token";
import { SyncError } from "@ct-crm-sync/core/domain/errors";
import { startDynamicsSimulator, type DynamicsSimulator } from "./index";

const microsoft = "https://login.microsoftonline.com";

/**
 * The production token path: MSAL, unchanged, with the authority it is given
 * (`https://login.microsoftonline.com`), its HTTP routed to the simulator by
 * MSAL's own network-client option, as a reverse proxy would (answers carry
 * the public host back). MSAL refuses http:// authorities, so this is how the
 * sandbox's Microsoft identity can stand in for the real one here.
 */
describe("Dynamics 365 tokens through MSAL", () => {
  let sim: DynamicsSimulator;
  const seen: string[] = [];
  const proxy: INetworkModule = {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => forward<T>("GET", url, options),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => forward<T>("POST", url, options),
  };
  async function forward<T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    seen.push(`${method} ${new URL(url).pathname}`);
    const answer = await fetch(url.replace(microsoft, sim.url), { method, headers: options?.headers ?? {}, ...(options?.body ? { body: options.body } : {}) });
    const text = (await answer.text()).replaceAll(sim.url, microsoft);
    return { headers: Object.fromEntries(answer.headers), body: JSON.parse(text) as T, status: answer.status };
  }
  const settings = (overrides: Partial<TokenSettings> = {}): TokenSettings => ({
    authorityUrl: microsoft,
    tenantId: sim.tenant,
    clientId: "sandbox-client",
    clientSecret: "sandbox-secret",
    orgUrl: sim.url,
    client: "auto",
    ...overrides,
  });

  beforeAll(async () => {
    sim = await startDynamicsSimulator();
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("gets a token MSAL's way (the client-credentials grant at the tenant's endpoint) that the org's Web API takes", async () => {
    const token = await tokenSource(settings(), { networkClient: proxy }).acquire();
    expect(seen).toContain(`POST /${sim.tenant}/oauth2/v2.0/token`);
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    const whoAmI = await fetch(`${sim.serviceRoot}/WhoAmI`, { headers: { authorization: `Bearer ${token.value}` } });
    expect(((await whoAmI.json()) as { UserId: string }).UserId).toBe(sim.clients["sandbox-client"]!.userId);
  });

  it("reports a wrong secret as an auth failure with Microsoft identity's error code, not the secret", async () => {
    const error = await tokenSource(settings({ clientSecret: "wrong-secret" }), { networkClient: proxy })
      .acquire()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).details).toMatchObject({ errorClass: "auth", code: "invalid_client" });
    expect((error as SyncError).message).toMatch(/AADSTS7000215/);
    expect((error as SyncError).message).not.toContain("wrong-secret");
  });
});
