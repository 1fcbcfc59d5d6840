import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeNotification, pushEnvelopeSchema } from "../src/envelope";

/** Push envelopes and the notifications inside them, as arbitrary as the types allow. */
const secret = "S3CRET-MARKER";
const base64Of = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
/** What commercetools uses as resource IDs (UUIDs) and keys: letters, digits, dashes, underscores. */
const resourceId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
/** Anything else a sender can put where an ID goes. */
const notAnId = fc.string().filter((s) => !/^[A-Za-z0-9_-]{1,256}$/.test(s));
const messageNotification = fc.record({
  notificationType: fc.constant("Message"),
  id: fc.string(),
  version: fc.option(fc.integer(), { nil: undefined }),
  sequenceNumber: fc.option(fc.integer(), { nil: undefined }),
  resource: fc.record({ typeId: fc.constantFrom("customer", "order", "business-unit", "product", "subscription"), id: resourceId }),
  resourceVersion: fc.integer(),
  type: fc.string(),
  createdAt: fc.option(fc.string(), { nil: undefined }),
});
const changeNotification = fc.record({
  notificationType: fc.constantFrom("ResourceCreated", "ResourceUpdated", "ResourceDeleted"),
  projectKey: fc.option(fc.string(), { nil: undefined }),
  resource: fc.record({ typeId: fc.string({ maxLength: 64 }), id: resourceId }),
  version: fc.integer(),
  oldVersion: fc.option(fc.integer(), { nil: undefined }),
});
const anyData = fc.oneof(
  fc.string({ minLength: 1 }),
  fc.base64String({ minLength: 1 }),
  fc.jsonValue().map(base64Of),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString("base64url")),
  fc.uint8Array({ minLength: 1 }).map((b) => Buffer.from(b).toString("base64")),
  fc.dictionary(fc.string(), fc.constant(secret)).map((d) => base64Of({ notificationType: "Message", ...d })),
);
const envelopeWith = (data: fc.Arbitrary<string>) =>
  fc.record({
    message: fc.record({
      data,
      attributes: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: undefined }),
      messageId: fc.option(fc.string(), { nil: undefined }),
      message_id: fc.option(fc.string(), { nil: undefined }),
    }),
    subscription: fc.option(fc.string(), { nil: undefined }),
  });

describe("push envelope decoding (properties)", () => {
  it("the envelope schema never throws, whatever the body", () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        expect(typeof pushEnvelopeSchema.safeParse(body).success).toBe("boolean");
      }),
    );
  });

  it("decoding never throws: it answers a notification or a reason, and the reason never echoes the payload", () => {
    fc.assert(
      fc.property(envelopeWith(anyData), (envelope) => {
        const parsed = pushEnvelopeSchema.parse(envelope);
        const decoded = decodeNotification(parsed);
        expect(decoded.messageId).toBe(envelope.message.messageId ?? envelope.message.message_id ?? "unknown");
        if (decoded.ok) {
          expect(decoded.notification.resource).toEqual({ typeId: expect.any(String), id: expect.any(String) });
        } else {
          expect(decoded.reason.length).toBeGreaterThan(0);
          expect(decoded.reason.length).toBeLessThan(500);
          expect(decoded.reason).not.toContain(secret);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("every notification commercetools can send decodes to itself, in base64 or base64url", () => {
    fc.assert(
      fc.property(fc.oneof(messageNotification, changeNotification), fc.boolean(), fc.string({ minLength: 1 }), (notification, url, messageId) => {
        const json = JSON.stringify(notification);
        const data = Buffer.from(json).toString(url ? "base64url" : "base64");
        const decoded = decodeNotification(pushEnvelopeSchema.parse({ message: { data, messageId } }));
        expect(decoded).toEqual({ ok: true, messageId, notification: JSON.parse(json) });
      }),
      { numRuns: 300 },
    );
  });

  it("a resource ID that is not an ID is a reason, never a notification to act on", () => {
    fc.assert(
      fc.property(messageNotification, notAnId, (notification, id) => {
        const data = base64Of({ ...notification, resource: { ...notification.resource, id } });
        const decoded = decodeNotification(pushEnvelopeSchema.parse({ message: { data, messageId: "m" } }));
        expect(decoded.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
