import { connector } from "@ct-crm-sync/core/crm/salesforce/connector";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { startSalesforceSimulator } from "../../simulators/salesforce";
import { soql } from "../../support/salesforce-reader";
import { type ConformanceTarget, type CrmInspector, type InspectedDeal, ownedFields } from "../target";

const clientId = "sandbox-client";
const clientSecret = "sandbox-secret";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);
const parentField = (v: unknown, field: string) => (v && typeof v === "object" ? str((v as Record<string, unknown>)[field]) : undefined);

/** The cart's status as a Salesforce user reads it: closed won/lost by the org's flags, else the cart status field (Abandoned or open). */
function dealStatus(r: Record<string, unknown>): InspectedDeal["status"] {
  if (r.IsClosed === true) return r.IsWon === true ? "won" : "lost";
  return r.CT_Cart_Status__c === "Abandoned" ? "abandoned" : "open";
}

/** Reads the org the way a Salesforce user's tools do: SOQL over HTTP with a token of its own, never the simulator's memory. */
export function soqlInspector(url: string): CrmInspector {
  return {
    async people() {
      const rows = await soql(url, "SELECT Id, CT_Customer_Id__c, Email, FirstName, LastName, Account.CT_Business_Unit_Id__c, CT_Last_Purchase_Date__c FROM Contact");
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
      const rows = await soql(url, "SELECT Id, CT_Business_Unit_Id__c, Name, Parent.CT_Business_Unit_Id__c FROM Account");
      return rows.map((r) => ({ crmId: String(r.Id), sourceId: str(r.CT_Business_Unit_Id__c), name: str(r.Name), parentSourceId: parentField(r.Parent, "CT_Business_Unit_Id__c") }));
    },
    async orders() {
      const rows = await soql(
        url,
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
    async deals() {
      const rows = await soql(
        url,
        "SELECT Id, CT_Cart_Key__c, Amount, CT_Currency__c, IsClosed, IsWon, CT_Cart_Status__c, CT_Contact__r.CT_Customer_Id__c, Account.CT_Business_Unit_Id__c, CT_Order_Record__r.CT_Order_Id__c FROM Opportunity",
      );
      return rows.map((r) => ({
        crmId: String(r.Id),
        dealKey: str(r.CT_Cart_Key__c),
        personSourceId: parentField(r.CT_Contact__r, "CT_Customer_Id__c"),
        companySourceId: parentField(r.Account, "CT_Business_Unit_Id__c"),
        amount: num(r.Amount),
        currency: str(r.CT_Currency__c),
        status: dealStatus(r),
        orderSourceId: parentField(r.CT_Order_Record__r, "CT_Order_Id__c"),
      }));
    },
    // WhoId and WhatId are polymorphic: SOQL reaches only their common fields, so the contact and order are read by Id.
    async orderEvents() {
      const rows = await soql(url, "SELECT Id, CT_Event_Key__c, CT_Event_Type__c, CT_Amount__c, CT_Currency__c, WhoId, WhatId FROM Task");
      const idsOf = (field: string) => [...new Set(rows.flatMap((r) => (typeof r[field] === "string" ? [`'${r[field]}'`] : [])))].join(", ");
      const whoIds = idsOf("WhoId");
      const whatIds = idsOf("WhatId");
      const contacts = whoIds ? await soql(url, `SELECT Id, CT_Customer_Id__c FROM Contact WHERE Id IN (${whoIds})`) : [];
      const orders = whatIds ? await soql(url, `SELECT Id, CT_Order_Id__c FROM CT_Order__c WHERE Id IN (${whatIds})`) : [];
      const customerOf = new Map(contacts.map((c) => [c.Id, str(c.CT_Customer_Id__c)]));
      const orderOf = new Map(orders.map((o) => [o.Id, str(o.CT_Order_Id__c)]));
      return rows.map((r) => ({
        crmId: String(r.Id),
        key: str(r.CT_Event_Key__c),
        orderSourceId: orderOf.get(r.WhatId),
        personSourceId: customerOf.get(r.WhoId),
        type: str(r.CT_Event_Type__c),
        amount: num(r.CT_Amount__c),
        currency: str(r.CT_Currency__c),
      }));
    },
  };
}

export const target: ConformanceTarget = {
  name: "salesforce",
  async start() {
    const sim = await startSalesforceSimulator({ clientId, clientSecret });
    const settings = { SALESFORCE_LOGIN_URL: sim.url, SALESFORCE_CLIENT_ID: clientId, SALESFORCE_CLIENT_SECRET: clientSecret };
    return {
      baseUrl: sim.url,
      adapter: connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock }).outbound,
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
  // Fields of the Contact by API name; email consent is Salesforce's own opt-out flag.
  async mappedFields(crm) {
    return {
      personFields: ownedFields("Title", "Description"),
      consent: { email: { target: "HasOptedOutOfEmail", invert: true } },
      async read(sourceId) {
        const [row] = await soql<{ Title: string | null; Description: string | null; HasOptedOutOfEmail: boolean }>(
          crm.baseUrl,
          `SELECT Title, Description, HasOptedOutOfEmail FROM Contact WHERE CT_Customer_Id__c = '${sourceId}'`,
        );
        return { signupChannel: row?.Title, loyaltyTier: row?.Description, emailOptIn: row ? !row.HasOptedOutOfEmail : undefined };
      },
    };
  },
};
