import { z } from "zod";
import type { CrmChange, CrmEntity } from "../../ports/crm-inbound";
import type { CallContext } from "../../ports/crm-outbound";
import type { Clock } from "../../ports/clock";
import type { Transport } from "../kit/transport";
import { type CrmOneRecord, isoTimestamp, listPage, pageSize, text } from "./api";
import { changeKey, isCartOpportunity } from "./deliveries";
import { models, opportunityFields } from "./fields";
import { crmOneDateTime } from "./mapping";

/** The last change listed: its modification time (1CRM's form) and ID, and where it stood in the list (a hint, checked). */
const checkpointSchema = z.object({ modified: z.string(), id: z.string(), offset: z.number().int().min(0).optional() });
type Checkpoint = z.infer<typeof checkpointSchema>;
const encode = (checkpoint: Checkpoint) => JSON.stringify(checkpoint);
const decode = (raw: string): Checkpoint => checkpointSchema.parse(JSON.parse(raw));

const byModification = "date_modified ASC, id ASC";
const fields = ["id", "date_entered", "date_modified", "modified_user_id"];
/** Opportunities are read with their cart key: cart opportunities are ours (`isCartOpportunity`) and never listed as changes. */
const fieldsOf = (model: string) => (model === models.deal ? [...fields, opportunityFields.dealKey] : fields);

/**
 * Modification times are to the second: a write later in the same second
 * can still sort before a change already listed (a smaller ID). Changes are
 * listed once their second is this far behind our clock, so the checkpoint
 * never sits in a second that can still change.
 */
const settleSeconds = 5;

/** Pages of our own writes only that one call reads past before it answers (10,000 records). */
const maxPagesPassedOver = 50;

const after = (record: CrmOneRecord, checkpoint: Checkpoint) => {
  const modified = text(record, "date_modified") ?? "";
  return modified > checkpoint.modified || (modified === checkpoint.modified && record.id > checkpoint.id);
};

/**
 * Polling on `date_modified`: 1CRM's list filters compare whole values, so
 * changes are read from the list in modification order (`order`, with the ID
 * for ties), from just after the last change listed. Where that change
 * stands moves (records modified since go to the end, deleted ones leave):
 * the offset kept in the checkpoint is checked with the record before it,
 * and found again by bisection when it moved. One page a call; changes made
 * by our own API user are passed over.
 */
export function changeLister(transport: Transport, clock: Clock, ownUserId?: string) {
  const rowAt = async (model: string, offset: number, ctx: CallContext) =>
    (await listPage({ transport, ctx }, model, { fields, order: byModification, offset, limit: 1 })).records[0];

  /** The offset of the first record after the checkpoint. */
  async function locate(model: string, checkpoint: Checkpoint, ctx: CallContext): Promise<number> {
    if (checkpoint.offset !== undefined) {
      if (checkpoint.offset === 0) return 0;
      const before = await rowAt(model, checkpoint.offset - 1, ctx);
      if (before && !after(before, checkpoint)) return checkpoint.offset;
    }
    let low = 0;
    let high = (await listPage({ transport, ctx }, model, { fields: ["id"], limit: 1 })).total;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const row = await rowAt(model, middle, ctx);
      if (!row || after(row, checkpoint)) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  return {
    checkpointAt: (instant: string) => encode({ modified: crmOneDateTime(instant), id: "" }),

    async changesSince(entity: CrmEntity, raw: string | undefined, ctx: CallContext): Promise<{ changes: CrmChange[]; checkpoint: string | undefined }> {
      const model = models[entity];
      let checkpoint = raw === undefined ? undefined : decode(raw);
      let start = checkpoint ? await locate(model, checkpoint, ctx) : 0;
      const settledBefore = crmOneDateTime(new Date(clock.now().getTime() - settleSeconds * 1000).toISOString());
      // A page of our own writes only (a backfill's) is passed over within the call, up to a bound.
      for (let page = 0; page < maxPagesPassedOver; page++) {
        const { records } = await listPage({ transport, ctx }, model, { fields: fieldsOf(model), order: byModification, offset: start, limit: pageSize });
        const changes: CrmChange[] = [];
        let last: Checkpoint | undefined;
        let unsettled = false;
        for (const [i, record] of records.entries()) {
          const modified = text(record, "date_modified");
          if (!modified || modified >= settledBefore) {
            unsettled = true;
            break;
          }
          if (checkpoint && !after(record, checkpoint)) continue;
          last = { modified, id: record.id, offset: start + i + 1 };
          if ((ownUserId !== undefined && record.modified_user_id === ownUserId) || (entity === "deal" && isCartOpportunity(record))) continue;
          const modifiedAt = isoTimestamp(modified)!;
          changes.push({ entity, crmId: record.id, action: "updated", modifiedAt, deliveryId: changeKey(model, record.id, modifiedAt) });
        }
        const next = last ? encode(last) : checkpoint ? encode(checkpoint) : raw;
        if (changes.length > 0 || !last || unsettled || records.length < pageSize) return { changes, checkpoint: next };
        checkpoint = last;
        start = last.offset ?? start;
      }
      return { changes: [], checkpoint: checkpoint ? encode(checkpoint) : raw };
    },
  };
}
