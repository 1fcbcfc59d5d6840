import { SingleFlight } from "../../crm/kit/single-flight";
import type { Runtime } from "../../runtime";
import { WebhookStore } from "../../state/webhook-store";
import { InboundSync } from "./apply";
import { WebhookIntake } from "./intake";

/** How long the issued webhook secret is kept in memory; a missing one is looked for again sooner (postDeploy may be about to save it). */
const secretLifetimeMs = { found: 60_000, missing: 5_000 };

/** The inbound direction of one runtime: the apply use case, the webhook intake, the kept webhook subscription. */
export type Inbound = { sync: InboundSync; intake: WebhookIntake; webhooks: WebhookStore };

const built = new WeakMap<Runtime, Inbound>();

/** The runtime's inbound side, built once per runtime (its locks and remembered deliveries are per instance). */
export function inboundOf(runtime: Runtime): Inbound {
  const existing = built.get(runtime);
  if (existing) return existing;
  const deps = {
    connection: runtime.connection,
    crm: runtime.connector.name,
    inbound: runtime.inbound,
    commerce: runtime.commerce,
    links: runtime.links,
    failures: runtime.failures,
    config: () => runtime.mappings.config(),
    clock: runtime.clock,
    logger: runtime.logger,
  };
  const sync = new InboundSync(deps);
  const webhooks = new WebhookStore(runtime.store, runtime.connection);
  const secret = new SingleFlight(
    async () => (await webhooks.get())?.issuedSecret,
    (value) => (value ? secretLifetimeMs.found : secretLifetimeMs.missing),
  );
  const intake = new WebhookIntake({ ...deps, sync, log: runtime.log, issuedSecret: () => secret.get() });
  const inbound = { sync, intake, webhooks };
  built.set(runtime, inbound);
  return inbound;
}
