import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { OperationStore } from "@ct-crm-sync/core/state/operation-store";
import { sandboxProjectKey } from "../emulator/emulator";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { seedFailure } from "../sandbox/seed";
import { soql } from "../support/salesforce-reader";
import { startMcAppStack, type McAppStack } from "./mc-app-server";
import { startMcStandIn, type McStandIn } from "./mc-api-stand-in";

/**
 * The built Merchant Center app in headless Chromium (Debian's /usr/bin/chromium)
 * against the MC API stand-in, which forwards `/proxy/forward-to` to the real
 * service app of the sandbox, seeded as `npm start` seeds it (the ambiguous
 * guest order SB-1004, and Rita Refused's contact refused once by Salesforce).
 * Only 127.0.0.1 is reachable from the page. The README's screenshots are
 * taken here, from this seed, so they cannot drift from the text.
 */
const screenshots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../docs/screenshots");
const chromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

type OrderRecord = { Id: string; Contact__r: { CT_Customer_Id__c: string } | null };

describe("MC custom application in Chromium against the sandbox", { timeout: 120_000 }, () => {
  let mcApi: McStandIn;
  let sandbox: Sandbox;
  let stack: McAppStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let rita: string;
  const blocked: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  /** A browser context that reaches nothing but 127.0.0.1 and records what its pages report. */
  async function localContext(): Promise<BrowserContext> {
    const local = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    await local.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === "data:" || url.protocol === "blob:" || url.hostname === "127.0.0.1") return route.continue();
      blocked.push(url.origin);
      return route.abort();
    });
    local.on("page", (opened) => {
      opened.on("pageerror", (error) => pageErrors.push(error.message));
      // Errors the shell's error boundary swallows still reach the console; blocked outside requests are expected noise.
      opened.on("console", (message) => {
        if (message.type() !== "error") return;
        const text = message.text();
        if (/Failed to load resource|LaunchDarkly/.test(text)) return;
        consoleErrors.push(text.slice(0, 400));
      });
    });
    return local;
  }
  /** A README screenshot: the whole page, or what the user sees (a dialog over the page). */
  const shoot = (name: string, fullPage = true) => page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage });

  beforeAll(async () => {
    await mkdir(screenshots, { recursive: true });
    // The service trusts the stand-in as issuer, so the stand-in comes first.
    mcApi = await startMcStandIn({ projectKey: sandboxProjectKey });
    sandbox = await startSandbox({ ports: "ephemeral", seed: true, captureLogs: true, mcApiUrl: mcApi.url });
    rita = await seedFailure(sandbox.api, sandbox.salesforce.faults);
    await sandbox.relay.drained();
    stack = await startMcAppStack({ mcApi, serviceUrl: sandbox.urls.service, ctpApiUrl: sandbox.urls.emulator, projectKey: sandboxProjectKey });

    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
    context = await localContext();
    page = await context.newPage();
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
    await sandbox?.stop();
    await mcApi?.close();
  });

  it("logs in through the stand-in and shows the connection's health with what needs attention", async () => {
    await page.goto(stack.entryUrl);
    await page.waitForURL(/\/sandbox\/crm-sync\/status$/, { timeout: 60_000 });
    const card = page.getByRole("region", { name: /^Connection / });
    await card.first().waitFor({ timeout: 30_000 });
    await card.first().getByText("CRM: Salesforce").waitFor();
    await expect(card.first().getByText("Needs attention", { exact: true }).isVisible()).resolves.toBe(true);
    await card.first().getByRole("link", { name: "Review the open failures" }).waitFor();
    await expect(page.getByTestId("processed-chart").first().isVisible()).resolves.toBe(true);
    await shoot("status");
    expect(mcApi.forwarded.some((f) => f.target.endsWith("/api/status") && f.status === 200)).toBe(true);
  });

  it("lists the seeded failure by Rita Refused's name and email, and replays it once the cause is gone", async () => {
    await page.goto(`${stack.entryUrl}/failures`);
    await page.getByRole("heading", { name: "Failed records" }).waitFor();
    const row = page.locator("tr", { hasText: "Rita Refused" });
    await row.waitFor({ timeout: 30_000 });
    await expect(row.getByText("rita.refused@example.com").isVisible()).resolves.toBe(true);
    await expect(row.getByText("open", { exact: true }).isVisible()).resolves.toBe(true);
    await page.locator("tr", { hasText: "Order SB-1004" }).getByText("Ambiguous match").waitFor();
    await shoot("failures");

    await row.getByRole("link", { name: "Rita Refused" }).click();
    await page.getByRole("heading", { name: "Rita Refused" }).waitFor();
    await expect(page.getByTestId("record-id").textContent()).resolves.toBe(rita);
    expect((await page.getByTestId("correlation-id").textContent())?.length).toBeGreaterThan(0);
    await expect(page.getByRole("list", { name: "Attempts" }).getByRole("listitem").count()).resolves.toBeGreaterThan(0);
    await shoot("failure-detail");

    // The seeded refusal was used up: replaying writes the contact.
    await page.getByRole("button", { name: "Replay", exact: true }).click();
    await page.getByText("Replayed: the record is in sync now.").waitFor({ timeout: 30_000 });
    await expect(page.getByText("resolved", { exact: true }).first().isVisible()).resolves.toBe(true);
    await shoot("failure-replayed");
    const contacts = await soql<{ Id: string }>(sandbox.urls.salesforce, `SELECT Id FROM Contact WHERE CT_Customer_Id__c = '${rita}'`);
    expect(contacts).toHaveLength(1);
  });

  it("resolves the ambiguous guest order by picking a candidate: the CRM then holds one order linked to that contact", async () => {
    const { samBerlin, samBoston } = sandbox.seeded!.customers;
    const orderId = sandbox.seeded!.orders.ambiguousGuest!;
    const ordersInCrm = () => soql<OrderRecord>(sandbox.urls.salesforce, `SELECT Id, Contact__r.CT_Customer_Id__c FROM CT_Order__c WHERE CT_Order_Id__c = '${orderId}'`);
    expect(await ordersInCrm()).toHaveLength(0);

    await page.goto(`${stack.entryUrl}/failures?errorClass=ambiguous_match`);
    await page.getByRole("link", { name: "Order SB-1004" }).click();
    const review = page.getByRole("region", { name: "Who placed this order?" });
    await review.waitFor({ timeout: 30_000 });
    const berlin = review.locator("tr", { hasText: "Sam Berlin" });
    await berlin.getByText("berlin", { exact: true }).waitFor();
    await review.locator("tr", { hasText: "Sam Boston" }).getByText("boston", { exact: true }).waitFor();
    await shoot("ambiguous-match");

    await berlin.getByRole("button", { name: "Link to Sam Berlin" }).click();
    const dialog = page.getByRole("dialog", { name: "Link the order to Sam Berlin?" });
    await dialog.getByText(/Later guest orders placed with Sam\.Shared@example\.com are linked to Sam Berlin too\./).waitFor();
    await dialog.getByRole("button", { name: "Link and write" }).click();
    await page.getByText("Decided and written: the order is in Salesforce now.").waitFor({ timeout: 30_000 });
    await review.getByText(/Mia Merchant decided on .* that guest orders with this email belong to Sam Berlin\./).waitFor();

    const orders = await ordersInCrm();
    expect(orders).toHaveLength(1);
    expect(orders[0]!.Contact__r?.CT_Customer_Id__c).toBe(samBerlin);
    expect(orders[0]!.Contact__r?.CT_Customer_Id__c).not.toBe(samBoston);
  });

  it("refuses to save a transform it cannot read, then saves exactly the one typed, and asks before rolling back", async () => {
    await page.goto(`${stack.entryUrl}/mappings`);
    await page.getByRole("heading", { name: "Mappings", level: 1 }).waitFor();
    await page.getByText("CRM: Salesforce · version 0").waitFor();
    const save = page.getByRole("button", { name: "Save", exact: true });

    await page.getByRole("button", { name: "Add person field" }).click();
    await page.getByLabel("person field 1 source").fill("firstName");
    // The back end's schema speaks before anything is sent: a Salesforce API name has no spaces.
    await page.getByLabel("person field 1 target").fill("Nick Name");
    await page.getByTestId("issues-entities.person.fields.0.target").getByText(/must be a Salesforce field API name/).waitFor();
    await page.getByLabel("person field 1 target").fill("Nickname__c");

    // Text that is no list of transforms: said at the field, in words, and Save refuses.
    await page.getByLabel("person field 1 transforms").fill("upper");
    await page.getByTestId("issues-entities.person.fields.0.transform").getByText(/^Write transforms as a list/).waitFor();
    await page.getByRole("list", { name: "Validation messages" }).getByText(/^Person field 1, transforms: /).waitFor();
    await expect(save.isDisabled()).resolves.toBe(true);
    await shoot("mappings");

    await page.getByLabel("person field 1 transforms").fill('[{"type":"normalise","as":"upper"}]');
    await page.getByText("The mapping is valid.").waitFor();
    await page.getByText("normalise (upper)").waitFor();
    await page.getByRole("combobox", { name: "person field 1 owner" }).click();
    await page.getByRole("option", { name: "first-write" }).click();

    await page.getByRole("button", { name: "Preview" }).click();
    const jane = sandbox.seeded!.customers.jane!;
    const sample = page.getByRole("region", { name: `Preview of ${jane}` });
    await sample.waitFor();
    await expect(sample.getByRole("row", { name: /Nickname__c/ }).textContent()).resolves.toContain("JANE");
    await shoot("mapping-preview");

    await save.click();
    const confirmSave = page.getByRole("dialog", { name: "Save as version 1?" });
    await confirmSave.getByText("Person: Nickname__c is written from firstName").waitFor();
    await confirmSave.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved as version 1.").waitFor();
    await page.getByRole("list", { name: "Versions" }).getByText(/^v1 · .* · Mia Merchant \(current\)$/).waitFor();
    const saved = await sandbox.runtimes.service.mappings.current();
    expect(saved.current.entities.person.fields).toEqual([{ source: "firstName", target: "Nickname__c", transform: [{ type: "normalise", as: "upper" }], owner: "first-write" }]);
    expect(saved.history).toEqual([expect.objectContaining({ version: 1, savedBy: "user-local-1", savedByName: "Mia Merchant" })]);

    // Rolling back changes the live sync: it asks first, saying what changes, and nothing moves until confirmed.
    await page.getByRole("button", { name: "Roll back to v0" }).click();
    const confirmRollback = page.getByRole("dialog", { name: "Roll back to version 0?" });
    await confirmRollback.getByText("Person: Nickname__c is no longer written").waitFor();
    await shoot("mapping-rollback", false);
    expect((await sandbox.runtimes.service.mappings.current()).version).toBe(1);
    await confirmRollback.getByRole("button", { name: "Roll back" }).click();
    await page.getByText("Rolled back to version 0; now version 2.").waitFor();
    await page.getByText("No extra person fields: the connector writes its standard fields only.").waitFor();
    const rolledBack = await sandbox.runtimes.service.mappings.current();
    expect(rolledBack.version).toBe(2);
    expect(rolledBack.current.entities.person.fields).toEqual([]);
  });

  it("starts a backfill from the Operations page and watches it finish, then a reconciliation, and reads its report", async () => {
    await page.goto(`${stack.entryUrl}/status`);
    await page.getByRole("link", { name: "Backfill, re-sync and reconciliation" }).click();
    await page.getByRole("heading", { name: "Operations", level: 1 }).waitFor();
    const recent = page.getByRole("list", { name: "Current and recent operations" });

    await page.getByRole("region", { name: "Backfill or scoped re-sync" }).getByRole("button", { name: "Start backfill" }).click();
    const confirmBackfill = page.getByRole("dialog", { name: "Start a backfill?" });
    await confirmBackfill.getByText(/The job reads every record \(companies, customers, orders\) from commercetools and writes them to Salesforce/).waitFor();
    await confirmBackfill.getByRole("button", { name: "Start", exact: true }).click();
    // The service hands it to the job at once; the page re-reads it while it runs.
    await recent.getByText("succeeded", { exact: true }).waitFor({ timeout: 60_000 });
    await recent.getByText(/^backfill, started by Mia Merchant at /).waitFor();
    await recent.getByText(/^(\d+) of \1 records · /).waitFor();
    await shoot("operations");
    const { store, connection } = sandbox.runtimes.service;
    const [backfill] = await new OperationStore(store, connection, () => new Date()).recent();
    expect(backfill).toMatchObject({ request: { kind: "backfill" }, requestedBy: { userId: "user-local-1", name: "Mia Merchant" }, state: "succeeded" });
    expect(backfill!.progress?.done).toBe(backfill!.progress?.total);

    const reconcile = page.getByRole("region", { name: "Reconciliation" });
    await reconcile.getByRole("button", { name: "Start reconciliation" }).click();
    const confirmReconcile = page.getByRole("dialog", { name: "Start a reconciliation?" });
    await confirmReconcile.getByText(/repairs what differs/).waitFor();
    await confirmReconcile.getByRole("button", { name: "Start", exact: true }).click();
    await recent.getByText(/^reconciliation \(with repair\), started by Mia Merchant at /).waitFor();
    await recent.getByRole("listitem").first().getByText("succeeded", { exact: true }).waitFor({ timeout: 60_000 });
    const report = page.getByRole("region", { name: "Latest reconciliation" });
    await report.getByText(/records in commercetools, \d+ in Salesforce, \d+ in sync\.$/).waitFor({ timeout: 30_000 });
    await report.getByRole("list", { name: "Drift by kind" }).getByText(/^Missing in the CRM: \d+$/).waitFor();
    await report.getByText(/^Repaired: \d+, repair failed: \d+$/).waitFor();
    await recent.getByRole("listitem").first().getByText("Outcome").click();
    await recent.getByText(/^reconcile\.inSync: \d+$/).waitFor();
    await report.screenshot({ path: path.join(screenshots, "reconciliation-report.png") });
  });

  it("opens a deep link in a fresh browser: after the login it lands on the page asked for, not on status", async () => {
    const fresh = await localContext();
    try {
      const deep = await fresh.newPage();
      await deep.goto(`${stack.entryUrl}/failures?errorClass=validation`);
      await deep.waitForURL(/\/sandbox\/crm-sync\/failures\?errorClass=validation$/, { timeout: 60_000 });
      await deep.getByRole("heading", { name: "Failed records" }).waitFor();
      await deep.locator("tr", { hasText: "Rita Refused" }).waitFor();
    } finally {
      await fresh.close();
    }
  });

  it("hides replay from a user without Manage, and the service refuses it anyway", async () => {
    mcApi.setPermissions({ canViewCrmSync: true, canManageCrmSync: false });
    await page.goto(`${stack.entryUrl}/failures`);
    await page.getByRole("heading", { name: "Failed records" }).waitFor();
    await page.getByText(/needs the Manage permission/).waitFor();
    await expect(page.getByRole("button", { name: /Replay/ }).count()).resolves.toBe(0);
    await page.goto(`${stack.entryUrl}/operations`);
    await page.getByText("Starting an operation needs the Manage permission; you can watch them.").waitFor();
    await expect(page.getByRole("button", { name: /^Start / }).count()).resolves.toBe(0);

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
