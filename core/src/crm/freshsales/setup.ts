import { SyncError } from "../../domain/errors";
import type { CallContext } from "../../ports/crm-outbound";
import { SingleFlight } from "../kit/single-flight";
import { send, type FreshsalesApi } from "./connection";
import { customFields, type Module } from "./fields";
import type { ClosingStages } from "./mapping";
import { dealStagesSchema, fieldsSchema, viewsSchema } from "./schemas";

/**
 * What the account must hold and what the connector reads from it once per
 * connection: each load runs under a context of its own, so one caller
 * giving up does not fail the others, and a failed load is tried again.
 */
const setupContext: CallContext = { correlationId: "freshsales-setup" };
/** Stages and views change rarely; an hour keeps an admin's edit from waiting for a restart. */
const lifetimeMs = 3_600_000;

/** Freshsales has no API to create custom fields: the admin adds ours, and this says which are missing. */
async function checkFields(api: FreshsalesApi): Promise<void> {
  const missing: string[] = [];
  for (const [module, wanted] of Object.entries(customFields) as [Module, { name: string }[]][]) {
    const { fields } = await send({ api, ctx: setupContext }, "GET", `/settings/${module}/fields`, fieldsSchema);
    const present = new Set(fields.map((f) => f.name));
    missing.push(...wanted.filter((f) => !present.has(f.name)).map((f) => `${module}.${f.name}`));
  }
  if (missing.length > 0) {
    throw new SyncError({ errorClass: "validation", message: `The Freshsales account lacks the custom fields ct-crm-sync writes: ${missing.join(", ")} (add them as the Freshsales connector README says)` });
  }
}

/** The deal stages: each one's label and where a deal in it stands, and the first Won and first Lost (by position) to close order deals with. */
export type DealStages = ClosingStages & { byId: Map<string, { name: string; status: "open" | "won" | "lost" }> };

async function loadDealStages(api: FreshsalesApi): Promise<DealStages> {
  const { deal_stages: stages } = await send({ api, ctx: setupContext }, "GET", "/selector/deal_stages", dealStagesSchema);
  const statusOf = (type: string | null | undefined) => (type?.toLowerCase() === "won" ? "won" : type?.toLowerCase() === "lost" ? "lost" : "open");
  const sorted = [...stages].sort((a, b) => a.position - b.position);
  const [won, lost] = (["won", "lost"] as const).map((status) => sorted.find((s) => statusOf(s.forecast_type) === status)?.id);
  if (!won || !lost) throw new SyncError({ errorClass: "validation", message: "The Freshsales deal stages have no Won or no Lost stage to close order deals with" });
  return { won: Number(won), lost: Number(lost), byId: new Map(stages.map((s) => [s.id, { name: s.name, status: statusOf(s.forecast_type) }])) };
}

/** The default list view of a module ("All Contacts"): reconciliation and polling page through it. */
async function loadDefaultView(api: FreshsalesApi, module: Module): Promise<string> {
  const { filters } = await send({ api, ctx: setupContext }, "GET", `/${module}/filters`, viewsSchema);
  const view = filters.find((f) => f.is_default) ?? filters.find((f) => f.name.toLowerCase().startsWith("all "));
  if (!view) throw new SyncError({ errorClass: "validation", message: `Freshsales shows no default view of ${module} to read them page by page` });
  return view.id;
}

export type AccountSetup = {
  checkFields(): Promise<void>;
  dealStages(): Promise<DealStages>;
  defaultView(module: Module): Promise<string>;
};

export function accountSetup(api: FreshsalesApi): AccountSetup {
  const fields = new SingleFlight(() => checkFields(api));
  const stages = new SingleFlight(() => loadDealStages(api), () => lifetimeMs);
  const views = { contacts: new SingleFlight(() => loadDefaultView(api, "contacts"), () => lifetimeMs), sales_accounts: new SingleFlight(() => loadDefaultView(api, "sales_accounts"), () => lifetimeMs), deals: new SingleFlight(() => loadDefaultView(api, "deals"), () => lifetimeMs) };
  return { checkFields: () => fields.get(), dealStages: () => stages.get(), defaultView: (module) => views[module].get() };
}
