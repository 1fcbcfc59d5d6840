import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "@ct-crm-sync/core/config/env";
import { jobEnv } from "./config";

describe("job configuration: the service's public key", () => {
  const ed25519 = generateKeyPairSync("ed25519").publicKey;

  it("takes the base64 DER the key script prints, or the same key as PEM", () => {
    const der = ed25519.export({ format: "der", type: "spki" }).toString("base64");
    const pem = ed25519.export({ format: "pem", type: "spki" }).toString();
    expect(loadConfig(jobEnv, { JOB_VERIFY_KEY: der }).JOB_VERIFY_KEY?.equals(ed25519)).toBe(true);
    expect(loadConfig(jobEnv, { JOB_VERIFY_KEY: pem }).JOB_VERIFY_KEY?.equals(ed25519)).toBe(true);
  });

  it("leaves it unset when absent or empty (only the scheduled trigger runs then)", () => {
    expect(loadConfig(jobEnv, {}).JOB_VERIFY_KEY).toBeUndefined();
    expect(loadConfig(jobEnv, { JOB_VERIFY_KEY: "  " }).JOB_VERIFY_KEY).toBeUndefined();
  });

  it("refuses another kind of key or no key at all, naming the setting and not its value", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "der", type: "spki" }).toString("base64");
    for (const value of [rsa, "not-a-key"]) {
      const attempt = () => loadConfig(jobEnv, { JOB_VERIFY_KEY: value });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow("JOB_VERIFY_KEY: must be an Ed25519 public key (base64 DER or PEM)");
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain(value);
      }
    }
  });
});
