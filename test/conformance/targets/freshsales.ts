import { connector } from "@ct-crm-sync/core/crm/freshsales/connector";
import { accountIdField, cartKeyField, cartOrderField, cartStatusField, contactIdField, dealIdField } from "@ct-crm-sync/core/crm/freshsales/fields";
import { keyLinePattern } from "@ct-crm-sync/core/crm/freshsales/order-events";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { defaultFreshsalesApiKey, startFreshsalesSimulator } from "../../simulators/freshsales";
import { freshsalesReader, type FreshsalesObject } from "../../simulators/freshsales/reader";
import { undocumented } from "../../simulators/freshsales/spec/paths";
import { type ConformanceTarget, type CrmInspector, type InspectedTimelineEntry, ownedFields } from "../target";

/** The merchant's own contact fields (API names as Module customization shows them). */
const signupField = "cf_signup_channel";
const tierField = "cf_loyalty_tier";

const str = (value: unknown) => (typeof value === "string" ? value : undefined);
const stageTypes = (answer: Record<string, unknown>) => new Map((answer.deal_stages as { id: number; forecast_type: string }[]).map((s) => [s.id, s.forecast_type]));
/** The note's first line ends with its amount when it has one: "Order 1234 refunded · 20.00 EUR". */
const amountLine = /· (\d+(?:\.\d+)?) ([A-Z]{3})$/m;

/** Reads the account through its own API: list views and the custom fields carrying commercetools IDs. */
function inspector(baseUrl: string, apiKey: string): CrmInspector {
  const freshsales = freshsalesReader(baseUrl, apiKey);
  const byId = (records: FreshsalesObject[]) => new Map(records.map((r) => [r.id, r]));
  return {
    async people() {
      const accounts = byId(await freshsales.all("sales_accounts"));
      return (await freshsales.all("contacts")).map((c) => {
        const [account] = (c.sales_accounts as { id: number }[] | undefined) ?? [];
        return {
          crmId: String(c.id),
          sourceId: str(c.custom_field[contactIdField]),
          email: str(c.email),
          firstName: str(c.first_name),
          lastName: str(c.last_name),
          companySourceId: account ? str(accounts.get(account.id)?.custom_field[accountIdField]) : undefined,
          lastPurchaseAt: str(c.custom_field.cf_ct_last_purchase_at),
        };
      });
    },
    async companies() {
      const accounts = await freshsales.all("sales_accounts");
      const parents = byId(accounts);
      return accounts.map((a) => ({
        crmId: String(a.id),
        sourceId: str(a.custom_field[accountIdField]),
        name: str(a.name),
        parentSourceId: typeof a.parent_sales_account_id === "number" ? str(parents.get(a.parent_sales_account_id)?.custom_field[accountIdField]) : undefined,
      }));
    },
    async orders() {
      const contacts = byId(await freshsales.all("contacts"));
      return (await freshsales.all("deals")).map((d) => {
        const [contact] = (d.contact_ids as number[] | undefined) ?? [];
        return {
          crmId: String(d.id),
          sourceId: str(d.custom_field[dealIdField]),
          personSourceId: contact === undefined ? undefined : str(contacts.get(contact)?.custom_field[contactIdField]),
          orderNumber: str(d.custom_field.cf_ct_order_number),
          totalAmount: typeof d.amount === "number" ? d.amount : undefined,
          currency: str(d.custom_field.cf_ct_currency),
          orderState: str(d.custom_field.cf_ct_order_state),
          paymentState: str(d.custom_field.cf_ct_payment_state),
        };
      });
    },
    // Cart deals are the deals carrying a cart key; won and lost are the stage's forecast type, abandoned the status field.
    async deals() {
      const contacts = byId(await freshsales.all("contacts"));
      const accounts = byId(await freshsales.all("sales_accounts"));
      const stages = stageTypes(await freshsales.get("/selector/deal_stages"));
      return (await freshsales.all("deals")).flatMap((d) => {
        const dealKey = str(d.custom_field[cartKeyField]);
        if (!dealKey) return [];
        const [contact] = (d.contact_ids as number[] | undefined) ?? [];
        const account = typeof d.sales_account_id === "number" ? accounts.get(d.sales_account_id) : undefined;
        const stage = stages.get(d.deal_stage_id as number);
        const status = stage === "Won" ? "won" : stage === "Lost" ? "lost" : d.custom_field[cartStatusField] === "abandoned" ? "abandoned" : "open";
        return [
          {
            crmId: String(d.id),
            dealKey,
            personSourceId: contact === undefined ? undefined : str(contacts.get(contact)?.custom_field[contactIdField]),
            companySourceId: str(account?.custom_field[accountIdField]),
            amount: typeof d.amount === "number" ? d.amount : undefined,
            currency: str(d.custom_field.cf_ct_currency),
            status,
            orderSourceId: str(d.custom_field[cartOrderField]),
          } as const,
        ];
      });
    },
    // The notes on every contact and sales account, each read with include=notes; ours end with their key line.
    async orderEvents() {
      const entries: InspectedTimelineEntry[] = [];
      for (const module of ["contacts", "sales_accounts"] as const) {
        for (const record of await freshsales.all(module)) {
          const { notes } = (await freshsales.get(`/${module}/${record.id}`, { include: "notes" })) as { notes?: { id: number; description: string }[] };
          for (const note of notes ?? []) {
            const [, orderSourceId, key] = keyLinePattern.exec(note.description) ?? [];
            if (!orderSourceId || !key) continue;
            const amount = amountLine.exec(note.description);
            entries.push({
              crmId: String(note.id),
              key,
              orderSourceId,
              personSourceId: module === "contacts" ? str(record.custom_field[contactIdField]) : undefined,
              type: key.slice(`ct-order-${orderSourceId}-`.length).split("-")[0],
              amount: amount ? Number(amount[1]) : undefined,
              currency: amount?.[2],
            });
          }
        }
      }
      return entries;
    },
  };
}

export const target: ConformanceTarget = {
  name: "freshsales",
  oneContactPerEmail: true,
  async start() {
    const sim = await startFreshsalesSimulator();
    // Two contact fields of the merchant's own, added in Admin settings → Module customization (Freshsales has no API for it).
    sim.store.addCustomField("contacts", { name: signupField, label: "Signup channel", type: "text", unique: false });
    sim.store.addCustomField("contacts", { name: tierField, label: "Loyalty tier", type: "text", unique: false });
    // Built as the apps build it: the connector's settings, its connection's outbound side.
    const settings = { FRESHSALES_API_URL: sim.url, FRESHSALES_API_KEY: sim.apiKey };
    return {
      baseUrl: sim.url,
      adapter: connector.connect(settings, { logger: new MemoryLogger(), clock: systemClock }).outbound,
      inspect: inspector(sim.url, sim.apiKey),
      async armFault(spec) {
        const response = await fetch(`${sim.origin}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });
        if (!response.ok) throw new Error(`arming fault failed: ${response.status}`);
      },
      async close() {
        await sim.close();
        // Everything the adapter (and the inspector) sent must be a documented Freshsales operation.
        const unknown = undocumented(sim.recorded);
        if (unknown.length > 0) throw new Error(`requests outside Freshsales' documented paths:\n  ${unknown.join("\n  ")}`);
      },
    };
  },
  invalidPerson(base) {
    return { person: { ...base, email: "jane.doe(at)example.com" }, messageIncludes: "Emails is invalid" };
  },
  // The merchant's custom contact fields; email consent as the connector's default has it: no mapping, the adapter
  // writes Freshsales' own subscription_status (Subscribed / Unsubscribed) itself.
  async mappedFields(crm) {
    const freshsales = freshsalesReader(crm.baseUrl, defaultFreshsalesApiKey);
    return {
      personFields: ownedFields(signupField, tierField),
      consent: connector.defaultMapping.consent,
      async read(sourceId) {
        const [contact] = await freshsales.lookup("contacts", contactIdField, sourceId);
        if (!contact) return {};
        const status = contact.subscription_status;
        return {
          signupChannel: contact.custom_field[signupField] as string | null,
          loyaltyTier: contact.custom_field[tierField] as string | null,
          emailOptIn: status === "Subscribed" ? true : status === "Unsubscribed" ? false : undefined,
        };
      },
    };
  },
};
