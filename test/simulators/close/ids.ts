import { randomBytes } from "node:crypto";

/** Close IDs are a type prefix and a long random tail, e.g. `lead_3fH...`; nothing may depend on their order. */
export function closeId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString("base64url")}`;
}

/**
 * Close timestamps look like `2013-02-01T00:54:51.331000+00:00`. The simulator
 * keeps them strictly increasing (microsecond steps) so "oldest record" is
 * always well defined, even for records created in the same millisecond.
 */
export function createClock(): () => string {
  let lastMicros = 0;
  return () => {
    const nowMicros = Date.now() * 1000;
    lastMicros = Math.max(nowMicros, lastMicros + 1);
    const millis = Math.floor(lastMicros / 1000);
    const micros = String(lastMicros % 1_000_000).padStart(6, "0");
    return `${new Date(millis).toISOString().slice(0, 19)}.${micros}+00:00`;
  };
}
