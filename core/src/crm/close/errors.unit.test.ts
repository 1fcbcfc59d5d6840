import { describe, expect, it } from "vitest";
import { writeEach } from "../kit/record-writer";
import { announcedWait, closeHttpError, flattenFieldErrors, parseRateLimitReset } from "./errors";

/** Whether the record writer keeps this error as the record's own failure (true) or fails the call with it (false). */
const isRecordLevel = (error: Error) =>
  writeEach([{ sourceId: "r" }], () => Promise.reject(error)).then(
    () => true,
    () => false,
  );

const headers = (h: Record<string, string> = {}) => new Headers(h);

describe("Close error mapping", () => {
  it("turns field-errors into a validation error with Close's words and the fields", async () => {
    const error = closeHttpError(400, headers(), JSON.stringify({ errors: [], "field-errors": { emails: "Invalid email address." } }));
    expect(error.details).toMatchObject({ errorClass: "validation", status: 400, fields: { emails: "Invalid email address." } });
    expect(error.message).toBe("Close: emails: Invalid email address.");
    expect(await isRecordLevel(error)).toBe(true);
  });

  it("flattens nested field-errors", () => {
    expect(flattenFieldErrors({ contacts: { errors: { "0": { "field-errors": { emails: "Invalid email address." } } } } })).toEqual({
      "contacts.0.emails": "Invalid email address.",
    });
  });

  it("takes the longest wait Close announces on 429, from Retry-After, RateLimit or rate_reset", async () => {
    const bodyOnly = closeHttpError(429, headers(), JSON.stringify({ error: { rate_reset: 2.25, message: "API call count exceeded" } }));
    expect(bodyOnly.details).toMatchObject({ errorClass: "throttled", retryAfterSeconds: 2.25 });
    expect(bodyOnly.message).toContain("API call count exceeded");
    const all = closeHttpError(429, headers({ "retry-after": "3", ratelimit: "limit=10, remaining=0, reset=2.5" }), "{}");
    expect(all.details.retryAfterSeconds).toBe(3);
    expect(closeHttpError(429, headers(), "").details.retryAfterSeconds).toBeUndefined();
    expect(await isRecordLevel(all)).toBe(false);
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

  it("tells the pacer to hold off when Close's window is spent or it names a wait, and not otherwise", () => {
    expect(announcedWait(headers({ ratelimit: "limit=100, remaining=0, reset=4.5" }))).toBe(4.5);
    expect(announcedWait(headers({ ratelimit: "limit=100, remaining=0, reset=0.4", "retry-after": "1" }))).toBe(1);
    expect(announcedWait(headers({ ratelimit: "limit=100, remaining=10, reset=4.5" }))).toBeUndefined();
    expect(announcedWait(headers({ ratelimit: "limit=100, remaining=01, reset=4.5" }))).toBeUndefined();
    expect(announcedWait(headers())).toBeUndefined();
  });
});
