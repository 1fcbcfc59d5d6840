import { describe, expect, it } from "vitest";
import { commercetoolsEnv, loadConfig, runtimeEnv } from "./env";

const commercetools = {
  CTP_PROJECT_KEY: "shop",
  CTP_CLIENT_ID: "client",
  CTP_CLIENT_SECRET: "very-secret-value",
  CTP_AUTH_URL: "https://auth.europe-west1.gcp.commercetools.com",
  CTP_API_URL: "https://api.europe-west1.gcp.commercetools.com",
};

/** A ConfigError whose issues are exactly these, in order. */
const issues = (...expected: RegExp[]) => expect.objectContaining({ issues: expected.map((e) => expect.stringMatching(e)) });

describe("configuration at start-up", () => {
  it("accepts a complete environment and fills the defaults", () => {
    expect(loadConfig(commercetoolsEnv, commercetools).CTP_PROJECT_KEY).toBe("shop");
    expect(loadConfig(runtimeEnv, {})).toEqual({ PORT: 8080, LOG_LEVEL: "info" });
  });

  it("names every missing or malformed key, never its value", () => {
    const broken = () => loadConfig(commercetoolsEnv, { ...commercetools, CTP_PROJECT_KEY: undefined, CTP_API_URL: "ftp://very-secret-value" });
    expect(broken).toThrow(issues(/^CTP_PROJECT_KEY:/, /^CTP_API_URL:(?!.*very-secret-value)/));
    expect(() => loadConfig(runtimeEnv, { PORT: "eighty" })).toThrow(issues(/^PORT:/));
  });
});
