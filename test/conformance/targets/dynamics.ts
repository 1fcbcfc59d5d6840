import { connector } from "@ct-crm-sync/core/crm/dynamics/connector";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { defaultTenant, startDynamicsSimulator } from "../../simulators/dynamics";
import { dataverseReader, type DataverseReader } from "../../simulators/dynamics/reader";
import { type ConformanceTarget, type CrmInspector, type InspectedDeal, ownedFields } from "../target";

/** A salesperson's app registration: reads with a token of its own, never the connector's. */
const salesReader = (orgUrl: string) => dataverseReader(orgUrl, { tenant: defaultTenant, clientId: "sandbox-sales", clientSecret: "sales-secret" });

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

/** An opportunity's state as Sales reads it: statecode 1 won, 2 lost; open and On Hold (status reason 2) is an abandoned cart. */
function dealStatus(row: Record<string, unknown>): InspectedDeal["status"] {
  if (row.statecode === 1) return "won";
  if (row.statecode === 2) return "lost";
  return row.statuscode === 2 ? "abandoned" : "open";
}

/** The `Label: value` reference lines at the end of a timeline note. */
function noteReference(text: unknown): Record<string, string> {
  if (typeof text !== "string") return {};
  return Object.fromEntries(text.split("\n").flatMap((line) => {
    const match = /^(Event|Amount|Order ID|Entry): (.+)$/.exec(line);
    return match ? [[match[1]!, match[2]!]] : [];
  }));
}

/** Reads the org as an admin's tools do: Web API queries with a token of the inspector's own. */
function webApiInspector(org: DataverseReader): CrmInspector {
  const unitIds = async () => new Map((await org.all("/accounts?$select=accountid,ct_businessunitid")).map((a) => [a.accountid, str(a.ct_businessunitid)]));
  return {
    async people() {
      const units = await unitIds();
      const rows = await org.all("/contacts?$select=contactid,ct_customerid,emailaddress1,firstname,lastname,_parentcustomerid_value,ct_lastpurchasedate");
      return rows.map((r) => ({
        crmId: String(r.contactid),
        sourceId: str(r.ct_customerid),
        email: str(r.emailaddress1),
        firstName: str(r.firstname),
        lastName: str(r.lastname),
        companySourceId: units.get(r._parentcustomerid_value),
        lastPurchaseAt: str(r.ct_lastpurchasedate),
      }));
    },
    async companies() {
      const rows = await org.all("/accounts?$select=accountid,ct_businessunitid,name,_parentaccountid_value");
      const units = new Map(rows.map((a) => [a.accountid, str(a.ct_businessunitid)]));
      return rows.map((r) => ({ crmId: String(r.accountid), sourceId: str(r.ct_businessunitid), name: str(r.name), parentSourceId: units.get(r._parentaccountid_value) }));
    },
    async orders() {
      const customers = new Map((await org.all("/contacts?$select=contactid,ct_customerid")).map((c) => [c.contactid, str(c.ct_customerid)]));
      const rows = await org.all("/ct_orders?$select=ct_orderid,ct_ordernumber,ct_total,ct_currency,ct_orderstate,ct_paymentstate,_ct_contactid_value");
      return rows.map((r) => ({
        crmId: String(r.ct_commerceorderid),
        sourceId: str(r.ct_orderid),
        personSourceId: customers.get(r._ct_contactid_value),
        orderNumber: str(r.ct_ordernumber),
        totalAmount: num(r.ct_total),
        currency: str(r.ct_currency),
        orderState: str(r.ct_orderstate),
        paymentState: str(r.ct_paymentstate),
      }));
    },
    async deals() {
      const customers = new Map((await org.all("/contacts?$select=contactid,ct_customerid")).map((c) => [c.contactid, str(c.ct_customerid)]));
      const units = await unitIds();
      const orders = new Map((await org.all("/ct_orders?$select=ct_orderid")).map((o) => [o.ct_commerceorderid, str(o.ct_orderid)]));
      const currencies = new Map((await org.all("/transactioncurrencies?$select=isocurrencycode")).map((c) => [c.transactioncurrencyid, str(c.isocurrencycode)]));
      const select = "ct_dealkey,estimatedvalue,statecode,statuscode,_parentcontactid_value,_parentaccountid_value,_transactioncurrencyid_value,_ct_commerceorderid_value";
      const rows = await org.all(`/opportunities?$select=${select}&$filter=ct_dealkey ne null`);
      return rows.map((r) => ({
        crmId: String(r.opportunityid),
        dealKey: str(r.ct_dealkey),
        personSourceId: customers.get(r._parentcontactid_value),
        companySourceId: units.get(r._parentaccountid_value),
        amount: num(r.estimatedvalue),
        currency: currencies.get(r._transactioncurrencyid_value),
        status: dealStatus(r),
        orderSourceId: orders.get(r._ct_commerceorderid_value),
      }));
    },
    // Timeline entries are notes on the contact (or account); what the entry is stands in the note's reference lines.
    async orderEvents() {
      const customers = new Map((await org.all("/contacts?$select=contactid,ct_customerid")).map((c) => [c.contactid, str(c.ct_customerid)]));
      const rows = await org.all("/annotations?$select=subject,notetext,_objectid_value");
      return rows.flatMap((r) => {
        const reference = noteReference(r.notetext);
        if (!reference.Entry) return [];
        const amount = /^(-?\d+(?:\.\d+)?) ([A-Z]{3})$/.exec(reference.Amount ?? "");
        return [
          {
            crmId: String(r.annotationid),
            key: reference.Entry,
            orderSourceId: reference["Order ID"],
            personSourceId: customers.get(r._objectid_value),
            type: reference.Event,
            ...(amount ? { amount: Number(amount[1]), currency: amount[2] } : {}),
          },
        ];
      });
    },
  };
}

export const target: ConformanceTarget = {
  name: "dynamics",
  async start() {
    const sim = await startDynamicsSimulator();
    const settings = {
      DYNAMICS_ORG_URL: sim.url,
      DYNAMICS_AUTHORITY_URL: sim.url,
      DYNAMICS_TENANT_ID: sim.tenant,
      DYNAMICS_CLIENT_ID: "sandbox-client",
      DYNAMICS_CLIENT_SECRET: "sandbox-secret",
    };
    return {
      baseUrl: sim.url,
      // Built as the apps build it: the connector's settings, its connection's outbound side.
      adapter: connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock }).outbound,
      inspect: webApiInspector(salesReader(sim.url)),
      async armFault(spec) {
        const response = await fetch(`${sim.url}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });
        if (!response.ok) throw new Error(`arming fault failed: ${response.status} ${await response.text()}`);
      },
      close: () => sim.close(),
    };
  },
  invalidPerson(base) {
    // Dataverse enforces column lengths (firstname: 50) and answers 0x80044331 naming the limit.
    return { person: { ...base, firstName: "J".repeat(60) }, messageIncludes: "exceeded the maximum allowed length" };
  },
  // Columns the admin added to the contact table (their publisher's prefix); email consent is the connector's default:
  // contact's own donotbulkemail, inverted, with the event's time in ct_emailconsentat.
  async mappedFields(crm) {
    const org = salesReader(crm.baseUrl);
    return {
      personFields: ownedFields("new_signupchannel", "new_loyaltytier"),
      consent: connector.defaultMapping.consent,
      async read(sourceId) {
        const [row] = await org.all(`/contacts?$select=new_signupchannel,new_loyaltytier,donotbulkemail&$filter=ct_customerid eq '${sourceId}'`);
        if (!row) return {};
        return {
          signupChannel: row.new_signupchannel as string | null,
          loyaltyTier: row.new_loyaltytier as string | null,
          emailOptIn: typeof row.donotbulkemail === "boolean" ? !row.donotbulkemail : undefined,
        };
      },
    };
  },
};
