import { readFileSync } from "node:fs";
import { ConnectorSpecificationParser } from "@commercetools-connect/specification";
import { describe, expect, it } from "vitest";
import { connectors } from "@ct-crm-sync/core/crm/registry";
import { batchingEnv } from "../../event/src/batched-sync";
import { pushAuthEnv } from "../../event/src/push-auth";
import { cartEnv } from "@ct-crm-sync/core/sync/cart-settings";

/** connect.yaml as Connect reads it: through commercetools' own parser. */
const spec = await new ConnectorSpecificationParser().parse(readFileSync(new URL("../../connect.yaml", import.meta.url), "utf8"));
const shared = spec.inheritAs?.configuration;

type Declared = { key: string; description?: string; required?: boolean; default?: string };
const declared = (list: "standardConfiguration" | "securedConfiguration"): Declared[] => (shared?.[list] ?? []) as Declared[];

describe("connect.yaml, read by Connect's own parser", () => {
  it("declares the four apps", () => {
    expect(spec.deployAs.map((app) => [app.name, app.applicationType])).toEqual([
      ["event", "event"],
      ["service", "service"],
      ["job", "job"],
      ["mc-app", "merchant-center-custom-application"],
    ]);
  });

  it("offers every registered connector in the CRM setting", () => {
    const crm = declared("standardConfiguration").find((c) => c.key === "CRM");
    expect(crm?.default).toBe(connectors[0]!.name);
    for (const connector of connectors) expect(crm?.description).toContain(connector.name);
  });

  it.each(connectors.map((c) => [c.name, c]))("carries the %s connector's settings as the connector declares them", (_name, connector) => {
    for (const [key, setting] of Object.entries(connector.settings)) {
      const list = setting.secured ? "securedConfiguration" : "standardConfiguration";
      const entry = declared(list).find((c) => c.key === key);
      expect(entry, `${key} belongs in inheritAs.configuration.${list}`).toBeDefined();
      expect(entry!.description).toBe(setting.description);
      // Only the chosen CRM's keys are needed: Connect must not demand the others'.
      expect(entry!.required ?? false).toBe(false);
      const fallback = setting.schema.safeParse(undefined);
      const expectedDefault = fallback.success && fallback.data !== undefined ? String(fallback.data) : undefined;
      expect(entry!.default, `${key}'s default`).toBe(expectedDefault);
    }
  });

  it("declares no CRM key that no connector reads", () => {
    // Beside the CRM keys, the cart settings every syncing app (event, job) reads.
    const known = new Set(["CRM", "CRM_CONNECTION_ID", "LOG_LEVEL", ...Object.keys(cartEnv.shape), ...connectors.flatMap((c) => Object.keys(c.settings))]);
    const unknown = [...declared("standardConfiguration"), ...declared("securedConfiguration")].map((c) => c.key).filter((key) => !known.has(key));
    expect(unknown).toEqual([]);
  });

  it("lets the event app's push authentication and batching be configured, with the defaults the app uses", () => {
    const event = spec.deployAs.find((app) => app.name === "event") as { configuration?: { standardConfiguration?: Declared[] } } | undefined;
    const entries = event?.configuration?.standardConfiguration ?? [];
    expect(entries.map((c) => c.key)).toEqual([...Object.keys(pushAuthEnv.shape), ...Object.keys(batchingEnv.shape)]);
    const defaults = batchingEnv.parse({});
    for (const [key, value] of Object.entries(defaults)) expect(entries.find((c) => c.key === key)?.default, key).toBe(String(value));
  });
});
