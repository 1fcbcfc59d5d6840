import type { CrmInbound } from "../../ports/crm-inbound";
import type { Clock } from "../../ports/clock";
import { sharedSecretRefusal } from "../kit/shared-secret";
import type { Transport } from "../kit/transport";
import { getRecord, updateRecord } from "./api";
import { changeLister } from "./changes";
import { parseDelivery } from "./deliveries";
import { contactFields, models } from "./fields";
import { snapshotOf } from "./snapshots";

/**
 * CRM One → us: webhook deliveries authenticated by the shared secret (1CRM
 * signs nothing), records read back whole by ID, polling on date_modified,
 * and adopting contacts born in the CRM. Changes made by our own API user
 * (`ownUserId`) are our writes coming back: they are dropped before anything
 * reads them, so a change of ours can never be taken for the CRM's, however
 * early its webhook arrives. Subscriptions are the admin's to
 * create (README): 1CRM documents no way to list them, so a subscribe that
 * keeps one per URL cannot be built on its API.
 */
export function crmOneInbound(options: { transport: Transport; secret: string | undefined; ownUserId: string | undefined; clock: Clock }): CrmInbound {
  const { transport } = options;
  return {
    // One record's fields a delivery.
    maxBodyBytes: 256 * 1024,
    verify: (request) => sharedSecretRefusal(request, options.secret, "CRM One"),
    parse: (request) => parseDelivery(request, options.ownUserId),
    async readRecord(entity, crmId, ctx) {
      // Without fields[], 1CRM answers every field of one record.
      const record = await getRecord({ transport, ctx }, models[entity], crmId, []);
      return record ? snapshotOf(entity, record) : undefined;
    },
    ...changeLister(transport, options.clock, options.ownUserId),
    async adopt(_entity, crmId, sourceId, ctx) {
      await updateRecord({ transport, ctx }, models.person, crmId, { [contactFields.customerId]: sourceId });
    },
  };
}
