import { describe, expect, it } from "vitest";
import { SyncError } from "../../domain/errors";
import { unlessGone } from "./gone";

describe("unlessGone", () => {
  it("answers the request's answer", async () => {
    expect(await unlessGone(Promise.resolve("found"))).toBe("found");
  });

  it("answers undefined when the CRM says the record is not there", async () => {
    expect(await unlessGone(Promise.reject(new SyncError({ errorClass: "not_found", status: 404, message: "Not found" })))).toBeUndefined();
  });

  it("passes every other failure on", async () => {
    await expect(unlessGone(Promise.reject(new SyncError({ errorClass: "crm_unavailable", status: 503, message: "down" })))).rejects.toThrow("down");
    await expect(unlessGone(Promise.reject(new Error("bug")))).rejects.toThrow("bug");
  });
});
