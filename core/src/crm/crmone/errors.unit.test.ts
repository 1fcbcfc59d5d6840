import { describe, expect, it } from "vitest";
import { crmOneError } from "./errors";

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers), text: typeof body === "string" ? body : JSON.stringify(body) });

describe("CRM One errors", () => {
  it("keeps 1CRM's message and hint, its error type as the code, and classes by status", () => {
    const error = crmOneError(answer(400, { error: "invalid_request", message: "Invalid email address in field email1", hint: "Enter a valid email address" }));
    expect(error.details).toEqual({ errorClass: "validation", status: 400, code: "invalid_request", message: "CRM One: Invalid email address in field email1 — Enter a valid email address" });
    expect(crmOneError(answer(404, { message: "Not found" })).details).toEqual({ errorClass: "not_found", status: 404, message: "CRM One: Not found" });
    expect(crmOneError(answer(401, { error: "access_denied", message: "denied" })).errorClass).toBe("auth");
    expect(crmOneError(answer(502, "<html>bad gateway</html>")).details).toEqual({ errorClass: "crm_unavailable", status: 502, message: "CRM One answered 502" });
  });

  it("carries the wait a 429 or 503 announces in Retry-After", () => {
    expect(crmOneError(answer(429, { error: "too_many_requests", message: "Too many requests" }, { "retry-after": "7" })).details).toMatchObject({ errorClass: "throttled", retryAfterSeconds: 7 });
    expect(crmOneError(answer(503, {}, { "retry-after": "2" })).details).toMatchObject({ errorClass: "crm_unavailable", retryAfterSeconds: 2 });
    expect(crmOneError(answer(429, {})).details).not.toHaveProperty("retryAfterSeconds");
  });
});
