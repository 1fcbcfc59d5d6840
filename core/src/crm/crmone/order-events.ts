import type { OrderEvent } from "../../domain/model";
import type { RecordWrite } from "../kit/record-writer";
import type { Call } from "./api";
import { convergeRecord } from "./converge-record";
import { models, taskFields } from "./fields";
import { timelineEntryData } from "./mapping";
import type { NoteTargetResolver } from "./orders";

/**
 * One completed task per order transition, on the customer's contact (and
 * their unit's account), found by `ct_timeline_key` and converged (1CRM has
 * no upsert). An entry already there is left as it is: a transition happened
 * once, and people may have added to it.
 */
export async function recordOrderEvent(call: Call, event: OrderEvent, targets: NoteTargetResolver): Promise<RecordWrite> {
  const target = await targets({ personSourceId: event.personSourceId, email: event.email, companySourceId: event.companySourceId });
  const { survivor, created } = await convergeRecord(call, {
    model: models.timeline,
    lock: `timeline:${event.sourceId}`,
    filters: { [taskFields.timelineKey]: event.sourceId },
    data: () => timelineEntryData(event, target),
  });
  return { crmId: survivor.id, created };
}
