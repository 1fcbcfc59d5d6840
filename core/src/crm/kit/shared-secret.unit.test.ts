import { describe, expect, it } from "vitest";
import type { InboundRequest } from "../../ports/crm-inbound";
import { sameSecret, sharedSecretHeader, sharedSecretRefusal } from "./shared-secret";

const request = (over: Partial<InboundRequest> = {}): InboundRequest => ({ headers: {}, query: {}, rawBody: Buffer.from("{}"), receivedAt: new Date(), ...over });

describe("shared-secret verification", () => {
  it("accepts the secret in the URL or in the header", () => {
    expect(sharedSecretRefusal(request({ query: { secret: "s3cret" } }), "s3cret", "CRM One")).toBeUndefined();
    expect(sharedSecretRefusal(request({ headers: { [sharedSecretHeader]: "s3cret" } }), "s3cret", "CRM One")).toBeUndefined();
  });

  it("refuses a missing, wrong or longer secret with 401", () => {
    for (const r of [request(), request({ query: { secret: "wrong" } }), request({ query: { secret: "s3cret-and-more" } }), request({ headers: { [sharedSecretHeader]: "" } })]) {
      expect(sharedSecretRefusal(r, "s3cret", "CRM One")).toEqual({ status: 401, reason: "the shared secret is missing or wrong" });
    }
  });

  it("refuses everything when no secret is configured, naming the CRM", () => {
    expect(sharedSecretRefusal(request({ query: { secret: "anything" } }), undefined, "CRM One")).toEqual({ status: 401, reason: "no shared secret is configured for CRM One webhooks" });
  });

  it("compares whole secrets", () => {
    expect(sameSecret("abc", "abc")).toBe(true);
    expect(sameSecret("abc", "abcd")).toBe(false);
    expect(sameSecret("", "abc")).toBe(false);
  });
});
