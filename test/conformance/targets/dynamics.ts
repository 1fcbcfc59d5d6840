import { connector } from "@ct-crm-sync/core/crm/dynamics/connector";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { defaultTenant, startDynamicsSimulator } from "../../simulators/dynamics";
import { dataverseReader, type DataverseReader } from "../../simulators/dynamics/reader";
import { type ConformanceTarget, type CrmInspector, ownedFields } from "../target";

/** A salesperson's app registration: reads with a token of its own, never the connector's. */
const salesReader = (orgUrl: string) => dataverseReader(orgUrl, { tenant: defaultTenant, clientId: "sandbox-sales", clientSecret: "sales-secret" });

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

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
