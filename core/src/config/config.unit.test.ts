import { describe, expect, it } from "vitest";
import { ConfigError, commercetoolsEnv, loadConfig, runtimeEnv } from "./env";

const commercetools = {
  CTP_PROJECT_KEY: "shop",
  CTP_CLIENT_ID: "client",
  CTP_CLIENT_SECRET: "very-secret-value",
  CTP_AUTH_URL: "https://auth.europe-west1.gcp.commercetools.com",
  CTP_API_URL: "https://api.europe-west1.gcp.commercetools.com",
};

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe("configuration at start-up", () => {
  it("accepts a complete environment and fills the defaults", () => {
    expect(loadConfig(commercetoolsEnv, commercetools).CTP_PROJECT_KEY).toBe("shop");
    expect(loadConfig(runtimeEnv, {})).toEqual({ PORT: 8080, LOG_LEVEL: "info" });
  });

  it("names every missing or malformed key, never its value", () => {
    const issues = problems(() => loadConfig(commercetoolsEnv, { ...commercetools, CTP_PROJECT_KEY: undefined, CTP_API_URL: "ftp://very-secret-value" }));
    expect(issues.map((i) => i.split(":")[0])).toEqual(["CTP_PROJECT_KEY", "CTP_API_URL"]);
    expect(issues.join(" ")).not.toContain("very-secret-value");
    expect(problems(() => loadConfig(runtimeEnv, { PORT: "eighty" }))[0]).toMatch(/^PORT:/);
  });
});
