import { describe, expect, it } from "vitest";
import { ConfigError } from "../config/env";
import { validateMappingConfig } from "../domain/mapping-config";
import { connectors, selectCrm } from "./registry";

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

/** Every setting of a connector given a plausible value: URLs where a URL is asked for, else a word. */
function completeSettings(name: string): Record<string, string> {
  const connector = connectors.find((c) => c.name === name)!;
  const values: Record<string, string> = { CRM: name };
  for (const [key, setting] of Object.entries(connector.settings)) {
    for (const candidate of ["https://crm.example.com", "62.0", "00D000000000001AAA", "5", "secret-value-xyz"]) {
      if (setting.schema.safeParse(candidate).success) {
        values[key] = candidate;
        break;
      }
    }
  }
  return values;
}

describe("the connector registry", () => {
  it("lists each CRM once, by a name the CRM setting can take", () => {
    const names = connectors.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it.each(connectors.map((c) => [c.name, c]))("%s declares itself completely", (_name, connector) => {
    expect(connector.label.length).toBeGreaterThan(0);
    for (const [key, setting] of Object.entries(connector.settings)) {
      expect(key).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(setting.description.length, `${key} needs a description for connect.yaml`).toBeGreaterThan(10);
    }
    expect(() => new RegExp(connector.targetRule.pattern)).not.toThrow();
    // Version 0 of the mapping must pass the connector's own rules.
    expect(validateMappingConfig(connector.defaultMapping, { crm: connector.name, targetRule: connector.targetRule })).toMatchObject({ valid: true });
    expect(connector.limits.maxBatchSize).toBeGreaterThanOrEqual(1);
    expect(connector.limits.requestsPerSecond).toBeGreaterThan(0);
  });

  it.each(connectors.map((c) => [c.name]))("%s: start-up accepts its complete settings and builds both directions", (name) => {
    const selection = selectCrm(completeSettings(name));
    expect(selection.connector.name).toBe(name);
    expect(selection.connection).toBe("default");
    const connection = selection.connector.connect(selection.settings, {
      logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } as never,
      clock: { now: () => new Date(), sleep: async () => undefined },
    });
    expect(connection.outbound.name).toBe(name);
    expect(typeof connection.inbound.verify).toBe("function");
  });

  it.each(connectors.map((c) => [c.name, c]))("%s: start-up names each missing required key, never a value", (name, connector) => {
    const required = Object.entries(connector.settings)
      .filter(([, s]) => !s.schema.safeParse(undefined).success)
      .map(([key]) => key);
    const issues = problems(() => selectCrm({ CRM: name }));
    expect(issues.map((i) => i.split(":")[0])).toEqual(required);
    const secretsOnly = completeSettings(name);
    expect(problems(() => selectCrm({ ...secretsOnly, CRM_CONNECTION_ID: "eu west" }))[0]).toMatch(/^CRM_CONNECTION_ID: letters, digits and dashes/);
    expect(problems(() => selectCrm(secretsOnly)).join(" ")).not.toContain("secret-value-xyz");
  });

  it("defaults to the first connector, and refuses one it does not know, by name", () => {
    expect(problems(() => selectCrm({ CRM: "hubspot" }))).toEqual([
      `CRM: no connector named hubspot in this version (use ${connectors.map((c) => c.name).join(", ")})`,
    ]);
    expect(problems(() => selectCrm({}))[0]).not.toMatch(/^CRM:/);
  });
});
