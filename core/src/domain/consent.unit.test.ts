import { describe, expect, it } from "vitest";
import { mergeConsent } from "./consent";

const grant = (at: string) => ({ granted: true, at, source: "storefront" });
const revoke = (at: string) => ({ granted: false, at, source: "unsubscribe-link" });

describe("consent", () => {
  it("the newest event wins whatever the delivery order", () => {
    const older = grant("2026-11-01T09:00:00.000Z");
    const newer = revoke("2026-11-10T09:00:00.000Z");
    expect(mergeConsent(older, newer).state).toEqual(newer);
    expect(mergeConsent(newer, older).state).toEqual(newer);
  });

  it("never lets an older grant overwrite a revocation, and a revocation wins a tie", () => {
    const revoked = revoke("2026-11-10T09:00:00.000Z");
    expect(mergeConsent(revoked, grant("2026-11-09T09:00:00.000Z"))).toMatchObject({ state: revoked, kept: "previous" });
    expect(mergeConsent(revoked, grant("2026-11-10T09:00:00.000Z"))).toMatchObject({ state: revoked, kept: "previous" });
    expect(mergeConsent(revoked, grant("2026-11-11T09:00:00.000Z")).state?.granted).toBe(true);
  });

  it("keeps what was written when the incoming record carries no consent", () => {
    const revoked = revoke("2026-11-10T09:00:00.000Z");
    expect(mergeConsent(revoked, undefined).state).toEqual(revoked);
    expect(mergeConsent(undefined, revoked).state).toEqual(revoked);
  });
});
