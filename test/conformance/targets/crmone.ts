import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { connector } from "@ct-crm-sync/core/crm/crmone/connector";
import { connectorSetup, crmOneReader, startCrmOneSimulator, type InstanceSetup } from "../../simulators/crmone";
import { checkExchanges } from "../../simulators/crmone/spec/contract";
import { type ConformanceTarget, type CrmInspector, type InspectedDeal, type InspectedOrder, type InspectedTimelineEntry, ownedFields } from "../target";

/** The API client the connector (and the inspector) use. */
const credentials = { clientId: "sandbox-client", clientSecret: "sandbox-secret" };

/** The instance as the merchant's admin set it up: the connector's fields and two contact fields of their own (Module Designer). */
const setup: InstanceSetup = {
  ...connectorSetup,
  customFields: { ...connectorSetup.customFields, Contact: { ...connectorSetup.customFields.Contact, signup_channel: "string", loyalty_tier: "string" } },
};

const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/** 1CRM's closed stages; an open stage with the connector's follow-up step is a flagged abandoned cart. */
function dealStatus(opportunity: Record<string, unknown>): InspectedDeal["status"] {
  if (opportunity.sales_stage === "Closed Won") return "won";
  if (opportunity.sales_stage === "Closed Lost") return "lost";
  return str(opportunity.next_step)?.startsWith("Follow up: abandoned cart") ? "abandoned" : "open";
}

/** A labelled line of an order note's description (`Total: 123.45 EUR`). */
const line = (description: string, label: string) => new RegExp(`^${label}: (.+)$`, "m").exec(description)?.[1];

function inspector(crm: ReturnType<typeof crmOneReader>): CrmInspector {
  const accounts = async () => new Map((await crm.all("Account", ["name", "parent_id", "ct_business_unit_id"])).map((a) => [a.id as string, a]));
  const contacts = () => crm.all("Contact", ["first_name", "last_name", "email1", "primary_account_id", "ct_customer_id", "ct_last_purchase_date"]);

  return {
    async people() {
      const byId = await accounts();
      return (await contacts()).map((c) => ({
        crmId: c.id as string,
        sourceId: str(c.ct_customer_id),
        email: str(c.email1),
        firstName: str(c.first_name),
        lastName: str(c.last_name),
        companySourceId: str(byId.get(c.primary_account_id as string)?.ct_business_unit_id),
        lastPurchaseAt: str(c.ct_last_purchase_date),
      }));
    },
    async companies() {
      const byId = await accounts();
      return [...byId.values()]
        .filter((a) => str(a.ct_business_unit_id))
        .map((a) => ({ crmId: a.id as string, sourceId: str(a.ct_business_unit_id), name: str(a.name), parentSourceId: str(byId.get(a.parent_id as string)?.ct_business_unit_id) }));
    },
    async orders(): Promise<InspectedOrder[]> {
      const people = new Map((await contacts()).map((c) => [c.id as string, c]));
      const notes = (await crm.all("Note", ["name", "contact_id", "description"])).filter((n) => str(n.name)?.startsWith("commercetools order "));
      return notes.map((n) => {
        const description = str(n.description) ?? "";
        const total = line(description, "Total")?.split(" ");
        return {
          crmId: n.id as string,
          sourceId: line(description, "Order ID"),
          personSourceId: str(people.get(n.contact_id as string)?.ct_customer_id),
          orderNumber: line(description, "Order number"),
          totalAmount: total ? Number(total[0]) : undefined,
          currency: total?.[1],
          orderState: line(description, "Order state"),
          paymentState: line(description, "Payment state"),
        };
      });
    },
    async deals(): Promise<InspectedDeal[]> {
      const people = new Map((await contacts()).map((c) => [c.id as string, c]));
      const byId = await accounts();
      const opportunities = await crm.all("Opportunity", ["account_id", "amount", "currency", "sales_stage", "next_step", "ct_deal_key", "ct_contact_id", "ct_order_id"]);
      return opportunities.map((o) => ({
        crmId: o.id as string,
        dealKey: str(o.ct_deal_key),
        personSourceId: str(people.get(o.ct_contact_id as string)?.ct_customer_id),
        companySourceId: str(byId.get(o.account_id as string)?.ct_business_unit_id),
        amount: typeof o.amount === "number" ? o.amount : undefined,
        currency: str(o.currency),
        status: dealStatus(o),
        orderSourceId: str(o.ct_order_id),
      }));
    },
    async orderEvents(): Promise<InspectedTimelineEntry[]> {
      const people = new Map((await contacts()).map((c) => [c.id as string, c]));
      const tasks = (await crm.all("Task", ["contact_id", "description", "ct_timeline_key"])).filter((t) => str(t.ct_timeline_key));
      return tasks.map((t) => {
        const description = str(t.description) ?? "";
        const amount = line(description, "Amount")?.split(" ");
        return {
          crmId: t.id as string,
          key: str(t.ct_timeline_key),
          orderSourceId: line(description, "Order ID"),
          personSourceId: str(people.get(t.contact_id as string)?.ct_customer_id),
          type: line(description, "Event"),
          amount: amount ? Number(amount[0]) : undefined,
          currency: amount?.[1],
        };
      });
    },
  };
}

export const target: ConformanceTarget = {
  name: "crmone",
  async start() {
    const sim = await startCrmOneSimulator({ ...credentials, setup });
    // Built as the apps build it: the connector's settings, its connection's outbound side.
    // The production pace (5 a second) would make the suite minutes long; what it proves does not depend on the pace.
    const settings = { CRMONE_API_URL: sim.url, CRMONE_CLIENT_ID: sim.clientId, CRMONE_CLIENT_SECRET: sim.clientSecret, CRMONE_REQUESTS_PER_SECOND: "50" };
    const connection = connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock });
    const reader = crmOneReader(sim.url, sim);
    return {
      baseUrl: sim.url,
      adapter: connection.outbound,
      inspect: inspector(reader),
      // 1CRM keeps no key unique: someone can create a second contact with the same customer ID.
      async duplicatePerson(sourceId) {
        await reader.create("Contact", { last_name: "Duplicate", ct_customer_id: sourceId });
      },
      async armFault(spec) {
        const response = await fetch(`${sim.origin}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });
        if (!response.ok) throw new Error(`arming fault failed: ${response.status}`);
      },
      async close() {
        await sim.close();
        // Everything the adapter (and the inspector) sent, and every answer, must agree with the 1CRM OpenAPI files.
        const customFields = Object.fromEntries(Object.entries(setup.customFields).map(([model, fields]) => [model, Object.keys(fields)]));
        const violations = checkExchanges(sim.exchanges, customFields);
        if (violations.length > 0) throw new Error(`1CRM OpenAPI drift:\n${violations.map((v) => `  ${v.exchange}: ${v.problem}`).join("\n")}`);
      },
    };
  },
  invalidPerson(base) {
    return { person: { ...base, email: "not-an-email" }, messageIncludes: "Invalid email address" };
  },
  // The admin's own contact fields; email consent as the connector's default has it: 1CRM's email_opt_out, inverted,
  // owned by the CRM (the adapter writes it and keeps a newer consent event the contact holds).
  async mappedFields(crm) {
    const reader = crmOneReader(crm.baseUrl, credentials);
    return {
      personFields: ownedFields("signup_channel", "loyalty_tier"),
      consent: connector.defaultMapping.consent,
      async read(sourceId) {
        // 1CRM's filter matches the beginning of a value: the contact carrying exactly this ID.
        const contact = (await reader.all("Contact", ["signup_channel", "loyalty_tier", "email_opt_out", "ct_customer_id"], { ct_customer_id: sourceId })).find((c) => c.ct_customer_id === sourceId);
        if (!contact) return {};
        return {
          signupChannel: contact.signup_channel as string | null | undefined,
          loyaltyTier: contact.loyalty_tier as string | null | undefined,
          emailOptIn: typeof contact.email_opt_out === "boolean" ? !contact.email_opt_out : undefined,
        };
      },
    };
  },
};
