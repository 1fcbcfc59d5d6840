import { connector } from "@ct-crm-sync/core/crm/freshsales/connector";
import { accountIdField, contactIdField, dealIdField } from "@ct-crm-sync/core/crm/freshsales/fields";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { defaultFreshsalesApiKey, startFreshsalesSimulator } from "../../simulators/freshsales";
import { freshsalesReader, type FreshsalesObject } from "../../simulators/freshsales/reader";
import { undocumented } from "../../simulators/freshsales/spec/paths";
import { type ConformanceTarget, type CrmInspector, ownedFields } from "../target";

/** The merchant's own contact fields (API names as Module customization shows them). */
const signupField = "cf_signup_channel";
const tierField = "cf_loyalty_tier";

const str = (value: unknown) => (typeof value === "string" ? value : undefined);

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
