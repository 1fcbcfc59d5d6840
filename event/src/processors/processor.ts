import type { CallContext } from "@ct-crm-sync/core/ports/crm-outbound";
import type { RecordOutcome } from "@ct-crm-sync/core/sync/record-writer";
import type { SyncService } from "@ct-crm-sync/core/sync/sync-service";

/**
 * Handles the notifications of one resource type. A notification says which
 * resource changed, nothing more: the processor re-reads it from commercetools
 * (the event endpoint is reachable by anyone, and what a message carries can
 * be forged), so only its ID is passed on.
 */
export type Processor = {
  typeId: string;
  process(resourceId: string, sync: SyncService, ctx: CallContext): Promise<RecordOutcome[]>;
};
