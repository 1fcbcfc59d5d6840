import type { Type } from "@commercetools/platform-sdk";
import { SingleFlight } from "../../crm/kit/single-flight";
import { compareInstants, isStale } from "../../domain/inbound";
import { isTransient, SyncError, toSyncError } from "../../domain/errors";
import type { FieldDecision } from "../../domain/ownership";
import type { CustomFieldsResource } from "../../ports/commerce";
import { type CrmChange, type CrmEntity, type CrmSnapshot, crmSnapshotSchema } from "../../ports/crm-inbound";
import type { CallContext } from "../../ports/crm-outbound";
import { inPool } from "../../pool";
import { KeyedLock } from "../../reliability/keyed-lock";
import { redactValue } from "../sync-model";
import { applyCompany } from "./company";
import { type ApplyContext, type InboundDeps, type InboundOutcome, outcome } from "./context";
import { applyDeal } from "./deal";
import { applyPerson } from "./person";

/** Changes of one delivery or page applied at once (each is a few reads and at most a couple of writes). */
const changesInFlight = 8;
/** Types change when someone deploys: read again after this long. */
const typesLifetimeMs = 5 * 60_000;

/** The latest change per record (by modification time, else the last listed): one delivery may name a record twice. */
function latestPerRecord(changes: CrmChange[]): CrmChange[] {
  const latest = new Map<string, CrmChange>();
  for (const change of changes) {
    const key = `${change.entity}|${change.crmId}`;
    const seen = latest.get(key);
    if (!seen || !seen.modifiedAt || !change.modifiedAt || compareInstants(change.modifiedAt, seen.modifiedAt) >= 0) latest.set(key, change);
  }
  return [...latest.values()];
}

/**
 * The CRM → commercetools use case: one change at a time per record (inside
 * this process), re-read from the CRM, checked against the snapshot schema,
 * decided field by field against the link and the current commercetools
 * resource, written with version checks. A change that cannot be applied is
 * kept in the failure store (direction `crm-to-ct`) and never thrown: callers
 * acknowledge once every change is applied or kept.
 */
export class InboundSync {
  private readonly locks = new KeyedLock();
  private readonly typeCache = new Map<CustomFieldsResource, SingleFlight<Type[]>>();

  constructor(readonly deps: InboundDeps) {}

  applyAll(changes: CrmChange[], ctx: CallContext): Promise<InboundOutcome[]> {
    const outcomes: InboundOutcome[] = [];
    return inPool(latestPerRecord(changes), changesInFlight, async (change) => {
      outcomes.push(await this.apply(change, ctx));
    }).then(() => outcomes);
  }

  apply(change: CrmChange, ctx: CallContext): Promise<InboundOutcome> {
    return this.locks.run(`${change.entity}|${change.crmId}`, () => this.applyOrKeep(change, ctx));
  }

  private async applyOrKeep(change: CrmChange, ctx: CallContext): Promise<InboundOutcome> {
    const { deps } = this;
    try {
      const done = await this.decide(change, ctx);
      await deps.failures.resolve(deps.connection, "crm-to-ct", change.entity, change.crmId);
      return done;
    } catch (raw) {
      ctx.signal?.throwIfAborted();
      const error = toSyncError(raw).details;
      await deps.failures.record({
        connection: deps.connection,
        crm: deps.crm,
        direction: "crm-to-ct",
        entity: change.entity,
        sourceId: change.crmId,
        error,
        payload: { action: change.action, deliveryId: change.deliveryId, ...(change.modifiedAt ? { modifiedAt: change.modifiedAt } : {}) },
        correlationId: ctx.correlationId,
        retryable: isTransient(error.errorClass),
      });
      deps.logger.warn("CRM change not applied, kept in the failure store", {
        correlationId: ctx.correlationId,
        entity: change.entity,
        crmId: change.crmId,
        errorClass: error.errorClass,
        status: error.status,
        code: error.code,
      });
      return { ...outcome(change.entity, change.crmId, "failed"), error };
    }
  }

  private async decide(change: CrmChange, ctx: CallContext): Promise<InboundOutcome> {
    const { deps } = this;
    if (change.action === "deleted") return outcome(change.entity, change.crmId, "skipped", { detail: "deleted in the CRM: nothing is removed from commercetools" });
    const link = change.entity === "deal" ? undefined : (await deps.links.byCrmId(change.entity, change.crmId))?.value;
    if (isStale(change.modifiedAt, link?.fromCrm)) return outcome(change.entity, change.crmId, "stale", link ? { sourceId: link.sourceId } : {});
    const snapshot = await this.read(change.entity, change.crmId, ctx);
    if (!snapshot) return outcome(change.entity, change.crmId, "missing", { detail: "the CRM no longer holds the record" });
    const ac = this.context(await deps.config(), ctx);
    switch (snapshot.entity) {
      case "person": {
        const known = link ?? (snapshot.sourceId ? (await deps.links.get("person", snapshot.sourceId))?.value : undefined);
        if (isStale(snapshot.modifiedAt, known?.fromCrm)) return outcome("person", snapshot.crmId, "unchanged", known ? { sourceId: known.sourceId } : {});
        return applyPerson(ac, snapshot, known);
      }
      case "company": {
        const known = link ?? (snapshot.sourceId ? (await deps.links.get("company", snapshot.sourceId))?.value : undefined);
        if (isStale(snapshot.modifiedAt, known?.fromCrm)) return outcome("company", snapshot.crmId, "unchanged", known ? { sourceId: known.sourceId } : {});
        return applyCompany(ac, snapshot, known);
      }
      case "deal":
        return applyDeal(ac, snapshot);
    }
  }

  /** The record as the CRM holds it now, held to the port's schema: a connector answering another shape fails loudly. */
  private async read(entity: CrmEntity, crmId: string, ctx: CallContext): Promise<CrmSnapshot | undefined> {
    const raw = await this.deps.inbound.readRecord(entity, crmId, ctx);
    if (!raw) return undefined;
    const parsed = crmSnapshotSchema.safeParse(raw);
    if (!parsed.success || parsed.data.entity !== entity || parsed.data.crmId !== crmId) {
      const where = parsed.success ? "entity or crmId" : parsed.error.issues.map((i) => i.path.join(".")).join(", ");
      throw new SyncError({ errorClass: "validation", message: `the ${this.deps.crm} connector read a ${entity} in an unexpected shape (at ${where})` });
    }
    return parsed.data;
  }

  private context(config: ApplyContext["config"], ctx: CallContext): ApplyContext {
    const { deps } = this;
    return {
      deps,
      config,
      ctx,
      types: (resource) => {
        let cached = this.typeCache.get(resource);
        if (!cached) this.typeCache.set(resource, (cached = new SingleFlight(() => deps.commerce.typesFor(resource), () => typesLifetimeMs)));
        return cached.get();
      },
      logDecisions: (entity: CrmEntity, sourceId: string, decisions: FieldDecision[]) => {
        for (const d of decisions) {
          deps.logger.info("field decision", {
            correlationId: ctx.correlationId,
            direction: "crm-to-ct",
            entity,
            sourceId,
            field: d.field,
            old: redactValue(d.old),
            new: redactValue(d.new),
            winner: d.winner,
            why: d.why,
          });
        }
      },
    };
  }
}
