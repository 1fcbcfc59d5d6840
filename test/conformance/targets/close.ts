import { z } from "zod";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { connector } from "@ct-crm-sync/core/crm/close/connector";
import {
  abandonedStatusLabel,
  contactFields,
  dealFields,
  leadFields,
  orderActivityTypeName,
  orderEventActivityTypeName,
  orderEventFields,
  orderFields,
} from "@ct-crm-sync/core/crm/close/field-names";
import { defaultCloseApiKey, startCloseSimulator } from "../../simulators/close";
import { checkRequests } from "../../simulators/close/spec/contract";
import { closeReader } from "../../support/close-reader";
import {
  type ConformanceTarget,
  type CrmInspector,
  type InspectedCompany,
  type InspectedDeal,
  type InspectedOrder,
  type InspectedPerson,
  type InspectedTimelineEntry,
  ownedFields,
} from "../target";

const str = (value: unknown) => (typeof value === "string" ? value : undefined);

/** Reads Close through its own API (exported for the e2e suites, which read the sandbox the same way). */
export function closeInspector(baseUrl: string, apiKey: string): CrmInspector {
  const close = closeReader(baseUrl, apiKey);
  const leadsById = async () => new Map((await close.list("/lead/")).map((l) => [l.id as string, l]));

  const activityTypeId = async (name: string) => {
    const types = z.object({ data: z.array(z.object({ id: z.string(), name: z.string() })) }).parse(await close.get("/custom_activity/"));
    return types.data.find((t) => t.name === name)?.id;
  };
  const customerOfContact = async () => {
    const customerKey = await close.fieldKey("/custom_field/contact/", contactFields.customerId.name);
    const contacts = new Map((await close.list("/contact/")).map((c) => [c.id as string, c]));
    return (contactId: unknown) => str(typeof contactId === "string" ? contacts.get(contactId)?.[customerKey] : undefined);
  };

  return {
    async deals(): Promise<InspectedDeal[]> {
      const [dealKey, orderId] = await Promise.all([dealFields.dealKey, dealFields.orderId].map((f) => close.fieldKey("/custom_field/opportunity/", f.name)));
      const customerOf = await customerOfContact();
      // Where it stands, as Sales sees it: the status's type, and our active "Abandoned cart" status.
      const statusOf = (o: Record<string, unknown>) =>
        o.status_type === "won" ? "won" : o.status_type === "lost" ? "lost" : o.status_label === abandonedStatusLabel ? "abandoned" : "open";
      return (await close.list("/opportunity/")).map((o) => ({
        crmId: o.id,
        dealKey: str(o[dealKey!]),
        personSourceId: customerOf(o.contact_id),
        // Close keeps opportunity values in cents.
        amount: typeof o.value === "number" ? o.value / 100 : undefined,
        currency: str(o.value_currency),
        status: statusOf(o),
        orderSourceId: str(o[orderId!]),
      }));
    },
    async orderEvents(): Promise<InspectedTimelineEntry[]> {
      const type = await activityTypeId(orderEventActivityTypeName);
      if (!type) return [];
      const key = (name: string) => close.fieldKey("/custom_field/activity/", name, type);
      const [eventKey, orderId, eventType, amount, currency] = await Promise.all(
        [orderEventFields.eventKey, orderEventFields.orderId, orderEventFields.eventType, orderEventFields.amount, orderEventFields.currency].map((f) => key(f.name)),
      );
      const customerOf = await customerOfContact();
      return (await close.list("/activity/custom/", { custom_activity_type_id: type })).map((a) => ({
        crmId: a.id,
        key: str(a[eventKey!]),
        orderSourceId: str(a[orderId!]),
        personSourceId: customerOf(a.contact_id),
        type: str(a[eventType!]),
        amount: typeof a[amount!] === "number" ? (a[amount!] as number) : undefined,
        currency: str(a[currency!]),
      }));
    },
    async people(): Promise<InspectedPerson[]> {
      const customerKey = await close.fieldKey("/custom_field/contact/", contactFields.customerId.name);
      const unitKey = await close.fieldKey("/custom_field/lead/", leadFields.businessUnitId.name);
      const purchaseKey = await close.fieldKey("/custom_field/lead/", leadFields.lastPurchaseDate.name);
      const leads = await leadsById();
      return (await close.list("/contact/")).map((c) => {
        const lead = leads.get(c.lead_id as string);
        // Close keeps one `name`; the adapter writes "first last".
        const [firstName, ...rest] = (str(c.name) ?? "").split(" ");
        const emails = (c.emails as { email: string }[] | undefined) ?? [];
        return {
          crmId: c.id as string,
          sourceId: str(c[customerKey]),
          email: emails[0]?.email,
          firstName,
          lastName: rest.join(" ") || undefined,
          companySourceId: str(lead?.[unitKey]),
          lastPurchaseAt: str(lead?.[purchaseKey]),
        };
      });
    },
    async companies(): Promise<InspectedCompany[]> {
      const unitKey = await close.fieldKey("/custom_field/lead/", leadFields.businessUnitId.name);
      const parentKey = await close.fieldKey("/custom_field/lead/", leadFields.parentBusinessUnitId.name);
      return [...(await leadsById()).values()]
        .filter((l) => str(l[unitKey]))
        .map((l) => ({ crmId: l.id as string, sourceId: str(l[unitKey]), name: str(l.name), parentSourceId: str(l[parentKey]) }));
    },
    async orders(): Promise<InspectedOrder[]> {
      const type = await activityTypeId(orderActivityTypeName);
      if (!type) return [];
      const key = (name: string) => close.fieldKey("/custom_field/activity/", name, type);
      const [orderId, orderNumber, total, currency, orderState, paymentState] = await Promise.all(
        [orderFields.orderId, orderFields.orderNumber, orderFields.total, orderFields.currency, orderFields.orderState, orderFields.paymentState].map((f) => key(f.name)),
      );
      const customerKey = await close.fieldKey("/custom_field/contact/", contactFields.customerId.name);
      const activities = await close.list("/activity/custom/", { custom_activity_type_id: type });
      const contacts = new Map((await close.list("/contact/")).map((c) => [c.id as string, c]));
      return activities.map((a) => {
        const contact = typeof a.contact_id === "string" ? contacts.get(a.contact_id) : undefined;
        return {
          crmId: a.id as string,
          sourceId: str(a[orderId!]),
          personSourceId: str(contact?.[customerKey]),
          orderNumber: str(a[orderNumber!]),
          totalAmount: typeof a[total!] === "number" ? (a[total!] as number) : undefined,
          currency: str(a[currency!]),
          orderState: str(a[orderState!]),
          paymentState: str(a[paymentState!]),
        };
      });
    },
  };
}

export const target: ConformanceTarget = {
  name: "close",
  async start() {
    const sim = await startCloseSimulator();
    // Built as the apps build it: the connector's settings, its connection's outbound side.
    const connection = connector.connect({ CLOSE_API_URL: sim.url, CLOSE_API_KEY: sim.apiKey }, { logger: new MemoryLogger(), clock: systemClock });
    return {
      baseUrl: sim.url,
      adapter: connection.outbound,
      inspect: closeInspector(sim.url, sim.apiKey),
      // Close keeps custom values unique nowhere: a user's import can give a second lead a contact with the same customer ID.
      async duplicatePerson(sourceId) {
        const close = closeReader(sim.url, sim.apiKey);
        const idField = await close.fieldId("/custom_field/contact/", contactFields.customerId.name);
        await close.post("/contact/", { name: "Imported twice", [`custom.${idField}`]: sourceId });
      },
      async armFault(spec) {
        const response = await fetch(`${sim.origin}/__sim/faults`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(spec),
        });
        if (!response.ok) throw new Error(`arming fault failed: ${response.status}`);
      },
      async close() {
        await sim.close();
        // Everything the adapter (and the inspector) sent must be Close's published dialect.
        const violations = checkRequests(sim.recorded);
        if (violations.length > 0) {
          throw new Error(`Close OpenAPI drift:\n${violations.map((v) => `  ${v.request}: ${v.problem}`).join("\n")}`);
        }
      },
    };
  },
  invalidPerson(base) {
    return { person: { ...base, email: "not-an-email" }, messageIncludes: "Invalid email address" };
  },
  // Contact custom fields an admin creates, mapped by their `custom.cf_...` key (IDs differ per org, so they are created first).
  async mappedFields(crm) {
    const close = closeReader(crm.baseUrl, defaultCloseApiKey);
    const createField = async (body: object) => {
      const response = await fetch(`${crm.baseUrl}/custom_field/contact/`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`${defaultCloseApiKey}:`).toString("base64")}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return `custom.${((await response.json()) as { id: string }).id}`;
    };
    const signup = await createField({ name: "Signup channel", type: "text" });
    const tier = await createField({ name: "Loyalty tier", type: "text" });
    const consent = await createField({ name: "Email consent", type: "choices", choices: ["Opted in", "Opted out"] });
    return {
      personFields: [
        ...ownedFields(signup, tier),
        { source: "emailConsent.granted", target: consent, transform: [{ type: "lookup", table: { true: "Opted in", false: "Opted out" } }] },
      ],
      // Close has no consent field of its own: the flag is the mapped field above.
      consent: {},
      async read(sourceId) {
        const idField = await close.fieldId("/custom_field/contact/", contactFields.customerId.name);
        const [contact] = await close.searchByCustomField("contact", idField!, sourceId, [signup, tier, consent]);
        if (!contact) return {};
        const consentValue = contact[consent];
        return {
          signupChannel: contact[signup] as string | undefined,
          loyaltyTier: contact[tier] as string | undefined,
          emailOptIn: consentValue === undefined ? undefined : consentValue === "Opted in",
        };
      },
    };
  },
};
