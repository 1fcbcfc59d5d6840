import { describe, expect, it } from "vitest";
import { closeHttpError, flattenFieldErrors, isRecordLevel, parseRateLimitReset } from "./errors";

const headers = (h: Record<string, string> = {}) => new Headers(h);

describe("Close error mapping", () => {
  it("turns field-errors into a validation error with Close's words and the fields", () => {
    const error = closeHttpError(400, headers(), JSON.stringify({ errors: [], "field-errors": { emails: "Invalid email address." } }));
    expect(error.details).toMatchObject({ errorClass: "validation", status: 400, fields: { emails: "Invalid email address." } });
    expect(error.message).toBe("Close: emails: Invalid email address.");
    expect(isRecordLevel(error)).toBe(true);
  });

  it("flattens nested field-errors", () => {
    expect(flattenFieldErrors({ contacts: { errors: { "0": { "field-errors": { emails: "Invalid email address." } } } } })).toEqual({
      "contacts.0.emails": "Invalid email address.",
    });
  });

  it("takes the longest wait Close announces on 429, from Retry-After, RateLimit or rate_reset", () => {
    const bodyOnly = closeHttpError(429, headers(), JSON.stringify({ error: { rate_reset: 2.25, message: "API call count exceeded" } }));
    expect(bodyOnly.details).toMatchObject({ errorClass: "throttled", retryAfterSeconds: 2.25 });
    expect(bodyOnly.message).toContain("API call count exceeded");
    const all = closeHttpError(429, headers({ "retry-after": "3", ratelimit: "limit=10, remaining=0, reset=2.5" }), "{}");
    expect(all.details.retryAfterSeconds).toBe(3);
    expect(closeHttpError(429, headers(), "").details.retryAfterSeconds).toBeUndefined();
    expect(isRecordLevel(all)).toBe(false);
  });

  it("classifies other statuses and keeps {error} messages", () => {
    expect(closeHttpError(401, headers(), JSON.stringify({ error: "bad key" })).details).toMatchObject({ errorClass: "auth", message: "Close: bad key" });
    expect(closeHttpError(503, headers(), "<html>").details).toMatchObject({ errorClass: "crm_unavailable", message: "Close answered 503" });
    expect(closeHttpError(404, headers(), JSON.stringify({ error: "Lead not found." })).errorClass).toBe("not_found");
  });

  it("reads the reset from the RateLimit header", () => {
    expect(parseRateLimitReset("limit=100, remaining=50, reset=5")).toBe(5);
    expect(parseRateLimitReset(null)).toBeUndefined();
  });
});
