import { describe, expect, it } from "vitest";
import { ConfigError, commercetoolsEnv, crmEnv, loadConfig, runtimeEnv } from "../config/env";

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
    const crm = loadConfig(crmEnv, { CRM: "close", CLOSE_API_KEY: "api_key" });
    expect(crm).toMatchObject({ CRM: "close", CRM_CONNECTION_ID: "default", CLOSE_API_URL: "https://api.close.com/api/v1" });
  });

  it("names every missing or malformed key, never its value", () => {
    const issues = problems(() => loadConfig(commercetoolsEnv, { ...commercetools, CTP_PROJECT_KEY: undefined, CTP_API_URL: "ftp://very-secret-value" }));
    expect(issues.map((i) => i.split(":")[0])).toEqual(["CTP_PROJECT_KEY", "CTP_API_URL"]);
    expect(issues.join(" ")).not.toContain("very-secret-value");
    expect(problems(() => loadConfig(runtimeEnv, { PORT: "eighty" }))[0]).toMatch(/^PORT:/);
    expect(problems(() => loadConfig(crmEnv, { CRM: "close", CRM_CONNECTION_ID: "eu west" }))[0]).toMatch(/^CRM_CONNECTION_ID: letters, digits and dashes/);
  });

  it("asks for the credentials of the configured CRM only", () => {
    expect(problems(() => loadConfig(crmEnv, { CRM: "salesforce", CLOSE_API_KEY: "k" }))).toEqual([
      "SALESFORCE_LOGIN_URL: required when CRM=salesforce",
      "SALESFORCE_CLIENT_ID: required when CRM=salesforce",
      "SALESFORCE_CLIENT_SECRET: required when CRM=salesforce",
    ]);
    expect(problems(() => loadConfig(crmEnv, { CRM: "close" }))).toEqual(["CLOSE_API_KEY: required when CRM=close"]);
  });

  it("refuses a CRM this version has no adapter for, or does not know, by name", () => {
    expect(problems(() => loadConfig(crmEnv, { CRM: "freshsales" }))).toEqual(["CRM: no adapter for freshsales in this version (use salesforce or close)"]);
    expect(problems(() => loadConfig(crmEnv, { CRM: "hubspot" }))[0]).toMatch(/^CRM: /);
  });
});
