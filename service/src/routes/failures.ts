import { Router } from "express";
import { serviceApi, type BulkReplayAnswer, type Failure, type FailureSort } from "@ct-crm-sync/core/api/contract";
import { HttpError } from "@ct-crm-sync/core/http/base-app";
import { correlationIdFrom } from "@ct-crm-sync/core/http/correlation";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { logEntries } from "@ct-crm-sync/core/state/sync-log";
import { inboundOf } from "@ct-crm-sync/core/sync/inbound/index";
import { replayFailure } from "@ct-crm-sync/core/sync/replay";
import { decideAmbiguousOrder, isAmbiguousGuestOrder, reviewAmbiguousOrder } from "../review/ambiguous-order";
import { subjectsOf } from "../review/subjects";
import { actorOf } from "./actor";
import { serve } from "./serve";

const sorts: Record<FailureSort, string[]> = {
  lastFailedAt: ["value.lastFailedAt desc"],
  "-lastFailedAt": ["value.lastFailedAt asc"],
  attempts: ["value.attempts desc"],
  entity: ["value.entity asc"],
  errorClass: ["value.errorClass asc"],
};

function summary({ payload: _payload, history: _history, ...rest }: Failure) {
  return rest;
}

/** Failure review and replay (docs/service-api.md). */
export function failureRoutes(runtime: Runtime): Router {
  const router = Router();
  const api = serviceApi.failures;

  /** Replays one entry and logs the re-sync's per-record outcomes under the request's correlation ID. */
  const deps = { sync: runtime.sync, inbound: inboundOf(runtime).sync, failures: runtime.failures };
  const replay = async (failure: Failure, correlationId: string) => {
    const result = await replayFailure(deps, failure, { correlationId });
    const meta = { at: runtime.clock.now().toISOString(), correlationId, connection: runtime.connection };
    await runtime.log.append("replay", logEntries(result.outcomes ?? [], meta));
    runtime.logger.info("failure replayed", { correlationId, failureId: failure.id, outcome: result.outcome });
    return result;
  };

  const existing = async (id: string) => {
    const failure = await runtime.failures.get(id);
    if (!failure) throw new HttpError(404, `no failure ${id}`);
    return failure;
  };

  serve(router, api.list, async ({ query }) => {
    const offset = Number(query.cursor ?? 0);
    const { sort, limit, cursor: _cursor, ...filter } = query;
    const page = await runtime.failures.list(filter, { sort: sorts[sort], offset, limit });
    const nextOffset = offset + page.items.length;
    const subjects = await subjectsOf(runtime, page.items);
    return {
      items: page.items.map((failure) => ({ ...summary(failure), subject: subjects.get(failure.id) })),
      nextCursor: page.items.length === limit && nextOffset < 10_000 ? String(nextOffset) : undefined,
    };
  });

  serve(router, api.get, ({ params }) => existing(params.id));

  serve(router, api.replayMany, async ({ body }, req) => {
    const correlationId = correlationIdFrom(req);
    const targets: (Failure | { id: string; missing: true })[] = [];
    if ("ids" in body) {
      for (const id of body.ids) targets.push((await runtime.failures.get(id)) ?? { id, missing: true });
    } else {
      const page = await runtime.failures.list(body.filter, { limit: 200 });
      targets.push(...page.items.filter((f) => f.state !== "resolved" && f.state !== "dismissed"));
    }
    const results: BulkReplayAnswer["results"] = [];
    for (const target of targets) {
      if ("missing" in target) {
        results.push({ id: target.id, outcome: "not_found" });
        continue;
      }
      try {
        const result = await replay(target, correlationId);
        results.push({ id: target.id, outcome: result.outcome, ...(result.detail ? { detail: result.detail } : {}) });
      } catch (error) {
        // One entry that cannot be replayed right now must not hide the others' results.
        runtime.logger.warn("bulk replay of one failure errored", { correlationId, failureId: target.id, errorName: (error as Error)?.name });
        results.push({ id: target.id, outcome: "error", detail: "replay could not run now; try again later" });
      }
    }
    return { results };
  });

  serve(router, api.replay, async ({ params }, req) => {
    const result = await replay(await existing(params.id), correlationIdFrom(req));
    if (result.outcome === "not_replayable") throw new HttpError(409, result.detail ?? "this record cannot be replayed");
    return { outcome: result.outcome, failure: result.failure };
  });

  serve(router, api.review, async ({ params }, req) => {
    const failure = await existing(params.id);
    const subject = (await subjectsOf(runtime, [failure])).get(failure.id);
    const match = isAmbiguousGuestOrder(failure) ? await reviewAmbiguousOrder(runtime, failure, { correlationId: correlationIdFrom(req) }) : undefined;
    return { subject, match };
  });

  /** The reviewer's decision on an ambiguous guest order, then the order synced again, which follows it. */
  serve(router, api.resolveMatch, async ({ params, body }, req) => {
    const correlationId = correlationIdFrom(req);
    const failure = await existing(params.id);
    const by = actorOf(req);
    const decision = await decideAmbiguousOrder(runtime, failure, body, by, { correlationId });
    runtime.logger.info("ambiguous match decided", { correlationId, failureId: failure.id, choice: "person" in body ? "person" : "separate", userId: by.userId });
    const result = await replay(failure, correlationId);
    return { outcome: result.outcome === "resolved" ? ("resolved" as const) : ("failed" as const), failure: result.failure, decision };
  });

  serve(router, api.dismiss, async ({ params }) => {
    const failure = await runtime.failures.dismiss(params.id);
    if (!failure) throw new HttpError(404, `no failure ${params.id}`);
    runtime.logger.info("failure dismissed", { failureId: failure.id });
    return failure;
  });

  return router;
}
