// `npm run connect-yaml`: writes every registered connector's settings into
// connect.yaml's shared configuration exactly as the connector declares them
// (secured ones under securedConfiguration), and the CRM choice's description.
// Other entries and the comments stay as they are. test/connect checks the result.
import { readFileSync, writeFileSync } from "node:fs";
import { parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { connectors } from "../core/src/crm/registry";

type Entry = { key: string; description: string; required: boolean; default?: string };

const file = new URL("../connect.yaml", import.meta.url);
const document = parseDocument(readFileSync(file, "utf8"));
const connectorKeys = new Set(connectors.flatMap((c) => Object.keys(c.settings)));

const wanted: Record<"standardConfiguration" | "securedConfiguration", Entry[]> = { standardConfiguration: [], securedConfiguration: [] };
for (const connector of connectors) {
  for (const [key, setting] of Object.entries(connector.settings)) {
    const fallback = setting.schema.safeParse(undefined);
    const entry: Entry = { key, description: setting.description, required: false };
    if (fallback.success && fallback.data !== undefined) entry.default = String(fallback.data);
    wanted[setting.secured ? "securedConfiguration" : "standardConfiguration"].push(entry);
  }
}

for (const list of ["standardConfiguration", "securedConfiguration"] as const) {
  const seq = document.getIn(["inheritAs", "configuration", list]) as YAMLSeq<YAMLMap>;
  const kept = seq.items.filter((item) => !connectorKeys.has(String(item.get("key"))));
  const crm = kept.find((item) => item.get("key") === "CRM");
  crm?.set("description", `CRM to sync with: ${connectors.map((c) => c.name).join(", ")}`);
  crm?.set("default", connectors[0]!.name);
  // After CRM and CRM_CONNECTION_ID, before the apps' own keys (LOG_LEVEL): the order a merchant fills them in.
  const head = kept.filter((item) => ["CRM", "CRM_CONNECTION_ID"].includes(String(item.get("key"))));
  const tail = kept.filter((item) => !head.includes(item));
  seq.items = [...head, ...wanted[list].map((entry) => document.createNode(entry) as YAMLMap), ...tail];
}
writeFileSync(file, document.toString({ lineWidth: 0 }));
console.log(`connect.yaml: ${connectors.map((c) => `${c.name} (${Object.keys(c.settings).length} settings)`).join(", ")}`);
