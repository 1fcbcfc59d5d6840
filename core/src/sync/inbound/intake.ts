import { createHash } from "node:crypto";
import { type CrmChange, type CrmInbound, type InboundRequest, MalformedDelivery } from "../../ports/crm-inbound";
import type { Logger } from "../../ports/logger";
import type { FailureStore } from "../../state/failure-store";
import { logEntries, type SyncLog } from "../../state/sync-log";
import type { InboundSync } from "./apply";
import type { InboundOutcome } from "./context";

/** What the endpoint answers: a status and a body (the CRM's expected acknowledgement, or JSON). */
export type IntakeAnswer = { status: number; contentType: string; body: string };

const json = (status: number, value: unknown): IntakeAnswer => ({ status, contentType: "application/json", body: JSON.stringify(value) });

/** Delivery IDs remembered per instance: a redelivered notification is skipped without a CRM read (applying it again would change nothing anyway). */
const rememberedDeliveries = 50_000;

class RecentDeliveries {
  private readonly seen = new Set<string>();

  has(id: string): boolean {
    return this.seen.has(id);
  }

  add(id: string): void {
    this.seen.add(id);
    if (this.seen.size > rememberedDeliveries) this.seen.delete(this.seen.values().next().value!);
  }
}

export type IntakeDeps = {
  connection: string;
  crm: string;
  inbound: CrmInbound;
  sync: InboundSync;
  failures: FailureStore;
  log: SyncLog;
  logger: Logger;
  /** The secret the CRM issued when we subscribed (kept by postDeploy), if any. */
  issuedSecret: () => Promise<string | undefined>;
};

/** What one request came to, for the caller's counters and tests. */
export type IntakeResult = { answer: IntakeAnswer; refused?: string; malformed?: boolean; duplicates: number; outcomes: InboundOutcome[] };

/**
 * A CRM's delivery to our webhook endpoint: verified before anything is
 * parsed (refused: 401, nothing changes), parsed (an authentic delivery that
 * cannot be understood is kept for review and acknowledged, so the CRM does
 * not deliver it forever), then every change applied or kept in the failure
 * store before the answer, which is the CRM's acknowledgement.
 */
export class WebhookIntake {
  private readonly recent = new RecentDeliveries();

  constructor(private readonly deps: IntakeDeps) {}

  async receive(request: Omit<InboundRequest, "issuedSecret">, correlationId: string): Promise<IntakeResult> {
    const { deps } = this;
    const issuedSecret = await deps.issuedSecret();
    const full: InboundRequest = issuedSecret ? { ...request, issuedSecret } : request;
    const refusal = deps.inbound.verify(full);
    if (refusal) {
      deps.logger.warn("webhook refused", { correlationId, crm: deps.crm, status: refusal.status, reason: refusal.reason });
      return { answer: json(refusal.status, { error: refusal.status === 413 ? "request body too large" : "unauthorized" }), refused: refusal.reason, duplicates: 0, outcomes: [] };
    }
    let changes: CrmChange[];
    let acknowledgement: IntakeAnswer | undefined;
    try {
      const parsed = deps.inbound.parse(full);
      changes = parsed.changes;
      if (parsed.acknowledgement) acknowledgement = { status: 200, ...parsed.acknowledgement };
    } catch (error) {
      if (!(error instanceof MalformedDelivery)) throw error;
      await this.keepMalformed(full, error, correlationId);
      const ack = error.acknowledgement ? { status: 200, ...error.acknowledgement } : json(200, { accepted: 0, kept: "for review" });
      return { answer: ack, malformed: true, duplicates: 0, outcomes: [] };
    }
    const fresh = changes.filter((c) => !this.recent.has(c.deliveryId));
    const outcomes = await deps.sync.applyAll(fresh, { correlationId });
    for (const change of fresh) this.recent.add(change.deliveryId);
    await deps.log.append("webhook", logEntries(outcomes, { at: request.receivedAt.toISOString(), correlationId, connection: deps.connection }));
    return { answer: acknowledgement ?? json(200, { accepted: changes.length }), duplicates: changes.length - fresh.length, outcomes };
  }

  /** One entry per distinct body (a redelivery adds an attempt): its size and digest, never its content, which may hold personal data. */
  private async keepMalformed(request: InboundRequest, error: MalformedDelivery, correlationId: string): Promise<void> {
    const digest = createHash("sha256").update(request.rawBody).digest("hex");
    await this.deps.failures.record({
      connection: this.deps.connection,
      crm: this.deps.crm,
      direction: "crm-to-ct",
      entity: "delivery",
      sourceId: digest.slice(0, 32),
      error: { errorClass: "validation", message: error.message },
      payload: { bytes: request.rawBody.length, sha256: digest, contentType: request.headers["content-type"] ?? null },
      correlationId,
      retryable: false,
    });
    this.deps.logger.warn("webhook delivery could not be understood, kept for review", { correlationId, crm: this.deps.crm, reason: error.message });
  }
}
