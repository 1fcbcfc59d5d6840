import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { sandboxProjectKey } from "../emulator/emulator";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { createCustomer } from "../sandbox/seed";
import { soql } from "../support/salesforce-reader";
import { startMcAppStack, type McAppStack } from "./mc-app-server";
import { startMcStandIn, type McStandIn } from "./mc-api-stand-in";
import { until } from "../support/until";

/**
 * The built Merchant Center app in headless Chromium (Debian's /usr/bin/chromium)
 * against the MC API stand-in, which forwards `/proxy/forward-to` to the real
 * service app of the sandbox. Only 127.0.0.1 is reachable from the page.
 */
const screenshots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test-output/screenshots");
const chromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

describe("MC custom application in Chromium against the sandbox", { timeout: 120_000 }, () => {
  let mcApi: McStandIn;
  let sandbox: Sandbox;
  let stack: McAppStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const blocked: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    await mkdir(screenshots, { recursive: true });
    // The service trusts the stand-in as issuer, so the stand-in comes first.
    mcApi = await startMcStandIn({ projectKey: sandboxProjectKey });
    sandbox = await startSandbox({ ports: "ephemeral", seed: true, captureLogs: true, mcApiUrl: mcApi.url });
    stack = await startMcAppStack({ mcApi, serviceUrl: sandbox.urls.service, ctpApiUrl: sandbox.urls.emulator, projectKey: sandboxProjectKey });

    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === "data:" || url.protocol === "blob:" || url.hostname === "127.0.0.1") return route.continue();
      blocked.push(url.origin);
      return route.abort();
    });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // Errors the shell's error boundary swallows still reach the console; blocked outside requests are expected noise.
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = message.text();
      if (/Failed to load resource|LaunchDarkly/.test(text)) return;
      consoleErrors.push(text.slice(0, 400));
    });
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
    await sandbox?.stop();
    await mcApi?.close();
  });

  it("logs in through the stand-in and shows the status of the CRM connection", async () => {
    await page.goto(stack.entryUrl);
    await page.waitForURL(/\/sandbox\/crm-sync\/status$/, { timeout: 60_000 });
    const card = page.getByRole("region", { name: /^Connection / });
    await card.first().waitFor({ timeout: 30_000 });
    await expect(card.first().getByText("CRM: salesforce").isVisible()).resolves.toBe(true);
    await expect(page.getByTestId("processed-chart").first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(screenshots, "status.png"), fullPage: true });
    expect(mcApi.forwarded.some((f) => f.target.endsWith("/api/status") && f.status === 200)).toBe(true);
  });

  it("finds a failed record, replays it after the cause is fixed in the simulator, and sees it resolved", async () => {
    // The cause: Salesforce rejects contact writes.
    sandbox.salesforce.faults.arm({ status: 400, times: 1_000, pathIncludes: "sobjects/Contact" });
    const customerId = await createCustomer(sandbox.api, {
      email: "rejected.rita@example.com",
      firstName: "Rita",
      lastName: "Rejected",
      store: "berlin",
      country: "DE",
    });
    await sandbox.relay.drained();

    const row = page.locator("tr", { hasText: customerId });
    await until(async () => {
      await page.goto(`${stack.entryUrl}/failures`);
      await page.getByRole("heading", { name: "Failed records" }).waitFor();
      await page.waitForLoadState("networkidle");
      return (await row.count()) > 0 ? true : undefined;
    }, 30_000);
    await expect(row.getByText("open").isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(screenshots, "failures.png"), fullPage: true });

    await row.getByText(customerId, { exact: true }).click();
    await page.getByRole("heading", { name: new RegExp(customerId) }).waitFor();
    const correlationId = await page.getByTestId("correlation-id").textContent();
    expect(correlationId?.length).toBeGreaterThan(0);
    await expect(page.getByRole("list", { name: "Attempts" }).getByRole("listitem").count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: path.join(screenshots, "failure-detail.png"), fullPage: true });

    // Fix the cause in the simulator, then replay from the detail view.
    const cleared = await fetch(`${sandbox.urls.salesforce}/__sim/faults`, { method: "DELETE" });
    expect(cleared.ok).toBe(true);
    await page.getByRole("button", { name: "Replay", exact: true }).click();
    await page.getByText("Replayed: the record is in sync now.").waitFor({ timeout: 30_000 });
    await expect(page.getByText("resolved", { exact: true }).first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(screenshots, "failure-replayed.png"), fullPage: true });

    const contacts = await soql<{ Id: string }>(sandbox.urls.salesforce, `SELECT Id FROM Contact WHERE CT_Customer_Id__c = '${customerId}'`);
    expect(contacts).toHaveLength(1);

    await page.getByRole("link", { name: "← All failures" }).click();
    await row.waitFor();
    await expect(row.getByText("resolved", { exact: true }).isVisible()).resolves.toBe(true);
  });

  it("edits a mapping: adds a field, changes its owner, previews it on real customers, saves version 1 and rolls back", async () => {
    await page.goto(`${stack.entryUrl}/mappings`);
    await page.getByRole("heading", { name: "Mappings", level: 1 }).waitFor();
    await page.getByText("CRM: Salesforce · version 0").waitFor();

    await page.getByRole("button", { name: "Add person field" }).click();
    await page.getByLabel("person field 1 source").fill("firstName");
    // The back end's schema speaks before anything is sent: a Salesforce API name has no spaces.
    await page.getByLabel("person field 1 target").fill("Nick Name");
    await page.getByTestId("issues-entities.person.fields.0.target").getByText(/must be a Salesforce field API name/).waitFor();
    await page.getByLabel("person field 1 target").fill("Nickname__c");
    await page.getByText("The mapping is valid.").waitFor();
    await page.getByRole("combobox", { name: "person field 1 owner" }).click();
    await page.getByRole("option", { name: "first-write" }).click();

    await page.getByRole("button", { name: "Preview" }).click();
    const jane = sandbox.seeded!.customers.jane!;
    const sample = page.getByRole("region", { name: `Preview of ${jane}` });
    await sample.waitFor();
    await expect(sample.getByRole("row", { name: /Nickname__c/ }).textContent()).resolves.toContain("Jane");
    await page.screenshot({ path: path.join(screenshots, "mappings.png"), fullPage: true });

    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved as version 1.").waitFor();
    await page.getByRole("list", { name: "Versions" }).getByText(/^v1 .*\(current\)$/).waitFor();
    const saved = (await sandbox.runtimes.service.mappings.current()).current.entities.person.fields;
    expect(saved).toEqual([{ source: "firstName", target: "Nickname__c", transform: [], owner: "first-write" }]);

    await page.getByRole("button", { name: "Roll back to v0" }).click();
    await page.getByText("Rolled back to version 0; now version 2.").waitFor();
    await page.getByText("No extra person fields: the adapter writes its standard fields only.").waitFor();
    const rolledBack = await sandbox.runtimes.service.mappings.current();
    expect(rolledBack.version).toBe(2);
    expect(rolledBack.current.entities.person.fields).toEqual([]);
  });

  it("hides replay from a user without Manage, and the service refuses it anyway", async () => {
    mcApi.setPermissions({ canViewCrmSync: true, canManageCrmSync: false });
    await page.goto(`${stack.entryUrl}/failures`);
    await page.getByRole("heading", { name: "Failed records" }).waitFor();
    await page.getByText(/needs the Manage permission/).waitFor();
    await expect(page.getByRole("button", { name: /Replay/ }).count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(screenshots, "failures-view-only.png"), fullPage: true });

    const refused = await fetch(`${mcApi.url}/proxy/forward-to`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${mcApi.issueSessionToken()}`,
        "accept-version": "v2",
        "x-forward-to": `${sandbox.urls.service}/api/failures/replay`,
        "x-forward-to-claims": "permissions",
        "x-project-key": sandboxProjectKey,
        "content-type": "application/json",
      },
      body: JSON.stringify({ ids: ["anything"] }),
    });
    expect(refused.status).toBe(403);
  });

  it("reached nothing but 127.0.0.1 and raised no page errors", () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    // Outside requests were attempted only by the shell's extras (fonts, avatars), and all were blocked.
    for (const origin of blocked) expect(origin).not.toMatch(/127\.0\.0\.1/);
  });
});
