import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MalformedDelivery } from "../../ports/crm-inbound";
import { readJsonDelivery } from "./json-delivery";

const delivery = (body: string) => ({ headers: {}, query: {}, rawBody: Buffer.from(body), receivedAt: new Date() });
const schema = z.object({ id: z.string(), at: z.string() });

describe("readJsonDelivery", () => {
  it("answers the body as the schema reads it", () => {
    expect(readJsonDelivery(delivery('{"id":"1","at":"now","extra":true}'), schema, "CRM One")).toEqual({ id: "1", at: "now" });
  });

  it("refuses a body that is not JSON as malformed", () => {
    expect(() => readJsonDelivery(delivery("<xml/>"), schema, "CRM One")).toThrow(new MalformedDelivery("CRM One delivery is not JSON"));
  });

  it("names the paths of what does not fit, not the values", () => {
    const error = (() => {
      try {
        readJsonDelivery(delivery('{"id":42,"secret":"s3cret"}'), schema, "CRM One");
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(MalformedDelivery);
    expect(error?.message).toBe("CRM One delivery has an unexpected shape at id, at");
    expect(readJsonDelivery.bind(null, delivery("[]"), schema, "CRM One")).toThrow("at (body)");
  });
});
