import { connector } from "@ct-crm-sync/core/crm/freshsales/connector";
import { accountIdField, contactIdField, dealIdField } from "@ct-crm-sync/core/crm/freshsales/fields";
import { MemoryLogger } from "@ct-crm-sync/core/logging/logger";
import { systemClock } from "@ct-crm-sync/core/ports/clock";
import { startFreshsalesSimulator } from "../../simulators/freshsales";
import { freshsalesReader, type FreshsalesObject } from "../../simulators/freshsales/reader";
import { undocumented } from "../../simulators/freshsales/spec/paths";
import type { ConformanceTarget, CrmInspector } from "../target";

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
  async start() {
    const sim = await startFreshsalesSimulator();
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
};
