import { SyncError } from "../../domain/errors";
import type { CallContext } from "../../ports/crm-outbound";
import type { Transport } from "../kit/transport";
import { listPage } from "./api";
import type { ModelSetup } from "./fields";

/** A value no record carries: the checks read nothing, they only ask whether the instance knows the fields and filters. */
const probe = "ct-crm-sync-setup-check";

/**
 * 1CRM's API cannot create fields or enable filters: an admin does, in
 * Module Designer (README.md, "Set-up"). Before the first write of a
 * connection we ask each model for our custom fields through the filters we
 * find records by, one request per model; an instance that lacks one
 * answers 400, and every write fails with what is missing instead of writing
 * records we could never find again. Answers other than that are passed on
 * (transient ones are retried).
 */
export async function checkSetup(transport: Transport, ctx: CallContext, setup: readonly ModelSetup[]): Promise<void> {
  for (const { model, filters, customFields } of setup) {
    const fields = ["id", ...customFields];
    try {
      await listPage({ transport, ctx }, model, { fields, filters: Object.fromEntries(filters.map((f) => [f, probe])), limit: 1 });
    } catch (error) {
      if (!(error instanceof SyncError) || (error.details.status !== 400 && error.details.status !== 404)) throw error;
      throw new SyncError({
        ...error.details,
        errorClass: "validation",
        message: `${error.message} (the instance lacks a field or filter ct-crm-sync needs on ${model}; see the CRM One connector's README, "Set-up")`,
      });
    }
  }
}
