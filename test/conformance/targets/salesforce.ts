import { z } from "zod";
import { createSalesforceAdapter } from "@ct-crm-sync/core/crm/salesforce";
import { startSalesforceSimulator } from "../../simulators/salesforce";
import type { ConformanceTarget, CrmInspector } from "../target";

const clientId = "sandbox-client";
const clientSecret = "sandbox-secret";

const tokenAnswer = z.object({ access_token: z.string(), instance_url: z.string() });
const page = z.object({ done: z.boolean(), nextRecordsUrl: z.string().optional(), records: z.array(z.record(z.string(), z.unknown())) });

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);
const parentField = (v: unknown, field: string) => (v && typeof v === "object" ? str((v as Record<string, unknown>)[field]) : undefined);

/**
 * Reads the org the way a Salesforce user's tools do: its own client-credentials
 * token and SOQL over HTTP, never the simulator's memory.
 */
function soqlInspector(url: string): CrmInspector {
  let token: Promise<string> | undefined;
  const getToken = () =>
    (token ??= fetch(`${url}/services/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }),
    }).then(async (r) => tokenAnswer.parse(await r.json()).access_token));

  async function query(soql: string): Promise<Record<string, unknown>[]> {
    const records: Record<string, unknown>[] = [];
    let next: string | undefined = `/services/data/v62.0/query?q=${encodeURIComponent(soql)}`;
    while (next) {
      const response = await fetch(url + next, { headers: { Authorization: `Bearer ${await getToken()}` } });
      if (!response.ok) throw new Error(`SOQL failed: HTTP ${response.status} ${await response.text()}`);
      const body = page.parse(await response.json());
      records.push(...body.records);
      next = body.done ? undefined : body.nextRecordsUrl;
    }
    return records;
  }

  return {
    async people() {
      const rows = await query(
        "SELECT Id, CT_Customer_Id__c, Email, FirstName, LastName, Account.CT_Business_Unit_Id__c, CT_Last_Purchase_Date__c FROM Contact",
      );
      return rows.map((r) => ({
        crmId: String(r.Id),
        sourceId: str(r.CT_Customer_Id__c),
        email: str(r.Email),
        firstName: str(r.FirstName),
        lastName: str(r.LastName),
        companySourceId: parentField(r.Account, "CT_Business_Unit_Id__c"),
        lastPurchaseAt: str(r.CT_Last_Purchase_Date__c),
      }));
    },
    async companies() {
      const rows = await query("SELECT Id, CT_Business_Unit_Id__c, Name, Parent.CT_Business_Unit_Id__c FROM Account");
      return rows.map((r) => ({
        crmId: String(r.Id),
        sourceId: str(r.CT_Business_Unit_Id__c),
        name: str(r.Name),
        parentSourceId: parentField(r.Parent, "CT_Business_Unit_Id__c"),
      }));
    },
    async orders() {
      const rows = await query(
        "SELECT Id, CT_Order_Id__c, Name, Contact__r.CT_Customer_Id__c, CT_Total__c, CT_Currency__c, CT_Order_State__c, CT_Payment_State__c FROM CT_Order__c",
      );
      return rows.map((r) => ({
        crmId: String(r.Id),
        sourceId: str(r.CT_Order_Id__c),
        personSourceId: parentField(r.Contact__r, "CT_Customer_Id__c"),
        orderNumber: str(r.Name),
        totalAmount: num(r.CT_Total__c),
        currency: str(r.CT_Currency__c),
        orderState: str(r.CT_Order_State__c),
        paymentState: str(r.CT_Payment_State__c),
      }));
    },
  };
}

export const salesforceTarget: ConformanceTarget = {
  name: "salesforce",
  async start() {
    const sim = await startSalesforceSimulator({ clientId, clientSecret });
    const adapter = createSalesforceAdapter({ loginUrl: sim.url, clientId, clientSecret, apiVersion: "62.0" });
    return {
      baseUrl: sim.url,
      adapter,
      inspect: soqlInspector(sim.url),
      async armFault(spec) {
        const response = await fetch(`${sim.url}/__sim/faults`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(spec) });
        if (!response.ok) throw new Error(`arming fault failed: ${response.status} ${await response.text()}`);
      },
      close: () => sim.close(),
    };
  },
  invalidPerson(base) {
    // Salesforce checks email format on Contact.Email and answers INVALID_EMAIL_ADDRESS.
    return { person: { ...base, email: "jane.doe(at)example.com" }, messageIncludes: "invalid email address" };
  },
};
