/**
 * What a full rolling-reconciliation pass costs: N synced people (written by
 * the job's backfill first), compared once in a pass with nothing drifted and
 * again with 1 % changed in commercetools behind the sync's back (stale in the
 * CRM, repaired through writeRecords). CRM and commercetools calls, wall time
 * and memory per pass, and the CRM calls per 10,000 synced people.
 */
import type { ReconcileSettings } from "@ct-crm-sync/core/sync/rolling-reconcile";
import { jobRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { runJob } from "../../job/src/run-job";
import { startBackends } from "./backends-client";
import { countCallsTo } from "./measure";
import { benchCloseRequestsPerSecond, benchCrmOneRequestsPerSecond, benchFreshsalesRequestsPerSecond, benchRuntime, crmUrl, type BenchCrm } from "./runtime";

/** A period far shorter than the time between runs, at the whole rate: one scheduled run is one whole pass. */
const wholePassAtOnce: ReconcileSettings = { RECONCILE_PERIOD_HOURS: 0.000_1, RECONCILE_CRM_SHARE: 1, RECONCILE_DELETE_ORPHANS: false };

async function onePass(runtime: Runtime): Promise<Record<string, number>> {
  const run = await runJob(runtime, { tasks: ["rolling-reconcile"] }, { reconcile: wholePassAtOnce });
  if (run.outcome !== "succeeded" || run.counts["rollingReconcile.passCompleted"] !== 1) throw new Error(`reconciliation pass ${run.outcome}: ${run.detail ?? JSON.stringify(run.counts)}`);
  return run.counts;
}

/** Changes the last name of every hundredth customer in commercetools, with no message to the sync: the CRM is now stale there. */
async function driftOnePercent(runtime: Runtime): Promise<number> {
  let drifted = 0;
  let afterId: string | undefined;
  let index = 0;
  for (;;) {
    const page = await runtime.commerce.pageById("customer", { ...(afterId ? { afterId } : {}), limit: 500 });
    for (const customer of page) {
      if (index++ % 100 !== 0) continue;
      await runtime.api
        .customers()
        .withId({ ID: customer.id })
        .post({ body: { version: customer.version, actions: [{ action: "setLastName", lastName: `Drifted ${customer.lastName ?? ""}` }] } })
        .execute();
      drifted++;
    }
    if (page.length < 500) return drifted;
    afterId = page.at(-1)!.id;
  }
}

export async function reconcileFigures(crm: BenchCrm, n: number) {
  const backends = await startBackends();
  try {
    await backends.seed(n, 0);
    const raised = { close: benchCloseRequestsPerSecond, freshsales: benchFreshsalesRequestsPerSecond, crmone: benchCrmOneRequestsPerSecond } as Partial<Record<BenchCrm, number>>;
    const runtime = benchRuntime(backends.urls, crm, "job", jobRetryPolicy, { requestsPerSecond: raised[crm] });
    await runtime.crm.ensureSchema({ correlationId: "bench-setup" });
    const backfill = await runJob(runtime, { tasks: ["backfill"], entities: ["customer"] });
    if (backfill.outcome !== "succeeded") throw new Error(`backfill ${backfill.outcome}: ${backfill.detail}`);

    countCallsTo(backends.urls.emulator, crmUrl(backends.urls, crm));
    let inSyncCounts: Record<string, number> = {};
    const inSync = await backends.measure(n, async () => void (inSyncCounts = await onePass(runtime)));
    const drifted = await driftOnePercent(runtime);
    let driftCounts: Record<string, number> = {};
    const withDrift = await backends.measure(n, async () => void (driftCounts = await onePass(runtime)));
    const per10k = (calls: number) => Math.round((calls / n) * 10_000);
    return {
      crm,
      people: n,
      pacedCallsPerSecond: runtime.crm.limits.requestsPerSecond,
      inSync: { ...inSync, compared: inSyncCounts["rollingReconcile.compared"], drifted: inSyncCounts["rollingReconcile.drifted"], crmCallsPer10kPeople: per10k(inSync.crmCalls), ctCallsPer10kPeople: per10k(inSync.ctCalls) },
      onePercentDrifted: {
        ...withDrift,
        changedInCommercetools: drifted,
        compared: driftCounts["rollingReconcile.compared"],
        drifted: driftCounts["rollingReconcile.drifted"],
        repaired: driftCounts["rollingReconcile.repaired"],
        crmCallsPer10kPeople: per10k(withDrift.crmCalls),
        ctCallsPer10kPeople: per10k(withDrift.ctCalls),
      },
    };
  } finally {
    await backends.stop();
  }
}
