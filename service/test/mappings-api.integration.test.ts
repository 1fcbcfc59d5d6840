import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceApi, type RouteRequest } from "@ct-crm-sync/core/api/contract";
import { mappingConfigSchema, type MappingConfig } from "@ct-crm-sync/core/domain/mapping-config";
import type { CrmConnector } from "@ct-crm-sync/core/ports/crm-connector";
import { startSandbox, type Sandbox } from "../../test/sandbox/sandbox";
import { createCustomer, seedProjectSetup } from "../../test/sandbox/seed";
import { startSessionIssuer, type SessionIssuer } from "../../test/support/mc-session";
import { serviceClient, view, type ServiceClient } from "./service-client";

const { mappings } = serviceApi;

/**
 * The mapping routes know the connection's CRM only through its connector
 * (runtime.connector): its name, label and target rule in GET, its rule in
 * validate and save, its preview fields in preview.
 */
describe("service API: mappings, through the connection's connector", () => {
  let sandbox: Sandbox;
  let mc: SessionIssuer;
  let api: ServiceClient;
  let connector: CrmConnector;
  let defaults: MappingConfig;
  let customerId: string;

  /** The connector's default with one extra person field. */
  function withPersonField(target: string): MappingConfig {
    return { ...defaults, entities: { ...defaults.entities, person: { fields: [{ source: "firstName", target, transform: [], owner: "first-write" }] } } };
  }
  const preview = (body: RouteRequest<typeof mappings.preview>["body"]) => api.call(mappings.preview, { body }, { permissions: view });

  beforeAll(async () => {
    mc = await startSessionIssuer();
    sandbox = await startSandbox({ ports: "ephemeral", captureLogs: true, mcApiUrl: mc.issuer });
    await seedProjectSetup(sandbox.api);
    api = serviceClient(sandbox.urls.service, mc, sandbox.emulator.projectKey);
    connector = sandbox.runtimes.service.connector;
    defaults = mappingConfigSchema.parse(connector.defaultMapping);
    customerId = await createCustomer(sandbox.api, { email: "map.preview@example.com", firstName: "Mara", lastName: "Preview", store: "berlin", country: "DE" });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await mc?.close();
  });

  it("answers the connection's CRM (name, label, target rule) and version 0, the connector's default", async () => {
    const answer = await api.call(mappings.get, {}, { permissions: view });
    expect(answer.status).toBe(200);
    expect(answer.answer).toEqual({
      crm: { name: "salesforce", label: "Salesforce", targetRule: connector.targetRule },
      current: defaults,
      version: 0,
      history: [],
    });
  });

  it("validates against the connection's CRM: its target rule, and its name", async () => {
    expect((await api.call(mappings.validate, { body: withPersonField("Nickname__c") }, { permissions: view })).answer).toEqual({ valid: true, issues: [] });
    // A Close custom field key is well-formed, but not a Salesforce field.
    const closeTarget = await api.call(mappings.validate, { body: withPersonField("custom.cf_AbC123") }, { permissions: view });
    expect(closeTarget.answer).toEqual({ valid: false, issues: [{ path: ["entities", "person", "fields", 0, "target"], message: connector.targetRule.message }] });
    const otherCrm = await api.call(mappings.validate, { body: { ...defaults, crm: "close" } }, { permissions: view });
    expect(otherCrm.answer).toEqual({ valid: false, issues: [{ path: ["crm"], message: "this connection syncs to salesforce, not close" }] });
    const unreadable = await api.call(mappings.validate, { body: { schemaVersion: 2 } }, { permissions: view });
    expect(unreadable.answer?.valid).toBe(false);
    expect(unreadable.answer?.issues.map((issue) => issue.path[0])).toContain("schemaVersion");
  });

  it("previews the edited mapping on a real customer as the connector would write it, without saving", async () => {
    const answer = await preview({ mapping: withPersonField("Nickname__c"), entity: "person", sampleIds: [customerId] });
    expect(answer.status).toBe(200);
    expect(answer.answer?.samples).toEqual([
      { sourceId: customerId, fields: expect.objectContaining({ Email: "map.preview@example.com", FirstName: "Mara", LastName: "Preview", Nickname__c: "Mara" }) },
    ]);
    // A record the configuration would refuse says why instead.
    const strict = { ...defaults, validation: { required: { ...defaults.validation.required, person: ["email", "phone"] } } };
    const refused = await preview({ mapping: strict, entity: "person", sampleIds: [customerId] });
    expect(refused.answer?.samples[0]?.fields).toMatchObject({ "(not sent)": expect.stringContaining("phone"), phone: expect.any(String) });
    // Without sample IDs: the most recently changed customers.
    const latest = await preview({ mapping: defaults, entity: "person" });
    expect(latest.answer?.samples.map((s) => s.sourceId)).toContain(customerId);
    expect((await sandbox.runtimes.service.mappings.current()).version).toBe(0);
  });

  it("refuses to preview a mapping that does not fit the connection's CRM, naming the field", async () => {
    const response = await preview({ mapping: withPersonField("custom.cf_AbC123"), entity: "person" });
    expect(response).toEqual({ status: 400, error: `body.mapping.entities.person.fields.0.target: ${connector.targetRule.message}` });
    expect((await api.send("POST", "/api/mappings/preview", { permissions: view, body: { mapping: defaults, entity: "invoice" } })).status).toBe(400);
  });

  it("saves a version, refuses documents for another CRM or with another CRM's targets, and rolls back", async () => {
    expect((await api.call(mappings.save, { body: withPersonField("Nickname__c") }, { permissions: view })).status).toBe(403);
    const saved = await api.call(mappings.save, { body: withPersonField("Nickname__c") }, { subject: "mia" });
    expect(saved).toEqual({ status: 200, answer: { version: 1 } });
    const current = (await api.call(mappings.get, {})).answer!;
    expect(current).toMatchObject({ version: 1, history: [{ version: 1, savedBy: "mia", savedAt: expect.any(String) }] });
    expect(current.current.entities.person.fields).toEqual([{ source: "firstName", target: "Nickname__c", transform: [], owner: "first-write" }]);

    expect(await api.call(mappings.save, { body: withPersonField("custom.cf_AbC123") })).toEqual({
      status: 400,
      error: `body.entities.person.fields.0.target: ${connector.targetRule.message}`,
    });
    expect(await api.call(mappings.save, { body: { ...defaults, crm: "close" } })).toEqual({ status: 400, error: "body.crm: this connection syncs to salesforce, not close" });
    expect((await api.send("PUT", "/api/mappings", { body: { schemaVersion: 1 } })).status).toBe(400);

    expect(await api.call(mappings.rollback, { body: { version: 0 } })).toEqual({ status: 200, answer: { version: 2 } });
    expect((await api.call(mappings.get, {})).answer).toMatchObject({ current: defaults, version: 2 });
    expect(await api.call(mappings.rollback, { body: { version: 99 } })).toEqual({ status: 404, error: "no mapping version 99" });
    expect((await api.send("POST", "/api/mappings/rollback", { body: { version: -1 } })).status).toBe(400);
  });
});
