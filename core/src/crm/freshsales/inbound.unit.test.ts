import { describe, expect, it } from "vitest";
import { MemoryLogger } from "../../logging/logger";
import { systemClock } from "../../ports/clock";
import { type InboundRequest, MalformedDelivery } from "../../ports/crm-inbound";
import { connector } from "./connector";
import { freshsalesError, isTaken } from "./errors";

const secret = "a-secret-of-sixteen-plus";
const settings = { FRESHSALES_API_URL: "http://127.0.0.1:1/crm/sales/api", FRESHSALES_API_KEY: "k", FRESHSALES_WEBHOOK_SECRET: secret, FRESHSALES_API_USER_ID: "1001" };
const { inbound } = connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock });

const request = (body: unknown, headers: Record<string, string> = { "x-ct-crm-sync-secret": secret }, query: Record<string, string> = {}): InboundRequest => ({
  headers: { "content-type": "application/json", ...headers },
  query,
  rawBody: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
  receivedAt: new Date("2026-11-20T10:00:01.000Z"),
});

describe("Freshsales workflow webhooks", () => {
  const template = { module: "contact", id: "16000000042", updated_at: "2026-11-20T15:30:00+05:30" };

  it("are authentic with the shared secret in the header the admin added (or ?secret=), and refused otherwise", () => {
    expect(inbound.verify(request(template))).toBeUndefined();
    expect(inbound.verify(request(template, {}, { secret }))).toBeUndefined();
    expect(inbound.verify(request(template, {}))).toMatchObject({ status: 401 });
    expect(inbound.verify(request(template, { "x-ct-crm-sync-secret": `${secret}x` }))).toMatchObject({ status: 401 });
    const unconfigured = connector.connect({ ...settings, FRESHSALES_WEBHOOK_SECRET: undefined }, { logger: new MemoryLogger(), clock: systemClock }).inbound;
    expect(unconfigured.verify(request(template))).toMatchObject({ status: 401 });
    expect(inbound.verify(request(template, {}))?.reason).not.toContain(secret);
  });

  it("parse the README's template into one change, its time in UTC, keyed as polling keys the same change", () => {
    expect(inbound.parse(request(template)).changes).toEqual([
      { entity: "person", crmId: "16000000042", action: "updated", modifiedAt: "2026-11-20T10:00:00.000Z", deliveryId: "person:16000000042:2026-11-20T10:00:00.000Z" },
    ]);
    expect(inbound.parse(request({ module: "deal", id: 7, updated_at: "2026-11-20T10:00:00Z" })).changes[0]).toMatchObject({ entity: "deal", crmId: "7" });
    expect(inbound.parse(request({ module: "sales_account", id: "8" })).changes[0]).toMatchObject({ entity: "company", crmId: "8", deliveryId: "company:8:2026-11-20T10:00:01.000Z" });
    expect(inbound.parse(request({ module: "sales_account", id: "8" })).changes[0]).not.toHaveProperty("modifiedAt");
  });

  it("drop a change the integration user made (our own write coming back), keep everyone else's", () => {
    expect(inbound.parse(request({ ...template, updater_id: "1001" })).changes).toEqual([]);
    expect(inbound.parse(request({ ...template, updater_id: 1002 })).changes).toHaveLength(1);
    expect(inbound.parse(request({ ...template, updater_id: "" })).changes).toHaveLength(1);
    const unconfigured = connector.connect({ ...settings, FRESHSALES_API_USER_ID: undefined }, { logger: new MemoryLogger(), clock: systemClock }).inbound;
    expect(unconfigured.parse(request({ ...template, updater_id: "1001" })).changes).toHaveLength(1);
  });

  it("throw MalformedDelivery for a body that is not the template: not JSON, another module, an ID or time that is none", () => {
    for (const body of ["{not json", { module: "lead", id: "1" }, { module: "contact" }, { module: "contact", id: "abc" }, { module: "contact", id: "1", updated_at: "{{contact.updated_at}}" }, []]) {
      expect(() => inbound.parse(request(body)), JSON.stringify(body)).toThrow(MalformedDelivery);
    }
  });

  it("start polling at a moment given, and take a webhook's body of at most 64 KB", () => {
    expect(JSON.parse(inbound.checkpointAt!("2026-11-20T10:00:00.000Z"))).toEqual({ since: Date.parse("2026-11-20T10:00:00.000Z") });
    expect(inbound.maxBodyBytes).toBe(64 * 1024);
  });
});

describe("Freshsales errors", () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers), text: typeof body === "string" ? body : JSON.stringify(body) });

  it("keep Freshsales' own words and classify by status", () => {
    expect(freshsalesError(answer(400, { errors: { code: 400, message: ["Emails is invalid", "Name can't be blank"] } })).details).toEqual({
      errorClass: "validation",
      status: 400,
      message: "Freshsales: Emails is invalid; Name can't be blank",
    });
    expect(freshsalesError(answer(404, { errors: { code: 404, message: "Contact not found" } })).details).toMatchObject({ errorClass: "not_found", message: "Freshsales: Contact not found" });
    expect(freshsalesError(answer(502, "<html>bad gateway</html>")).details).toMatchObject({ errorClass: "crm_unavailable", message: "Freshsales answered HTTP 502" });
    expect(freshsalesError(answer(401, { errors: { code: 401, message: ["Authentication failed"] } })).errorClass).toBe("auth");
  });

  it("take the wait a 429 names in Retry-After, and name none when it does not", () => {
    expect(freshsalesError(answer(429, { errors: { code: 429, message: ["slow down"] } }, { "retry-after": "42" })).details).toMatchObject({ errorClass: "throttled", retryAfterSeconds: 42 });
    expect(freshsalesError(answer(429, {})).details).not.toHaveProperty("retryAfterSeconds");
  });

  it("tell a value another record holds from other refusals", () => {
    expect(isTaken(freshsalesError(answer(400, { errors: { code: 400, message: ["Emails has already been taken"] } })).details)).toBe(true);
    expect(isTaken(freshsalesError(answer(400, { errors: { code: 400, message: ["Emails is invalid"] } })).details)).toBe(false);
    expect(isTaken({ errorClass: "throttled", message: "has already been taken" })).toBe(false);
  });
});
