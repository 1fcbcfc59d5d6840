/**
 * What a full rolling-reconciliation pass costs: N synced people (written by
 * the job's backfill first), compared once in a pass with nothing drifted and
 * again with 1 % changed in commercetools behind the sync's back (stale in the
 * CRM, repaired through writeRecords). CRM and commercetools calls, wall time
 * and memory per pass, and the CRM calls per 10,000 synced people.
 *
 * Beside them, from the same run: what writing the same people once cost (the
 * backfill before the passes), and the obvious alternative to `readSynced`,
 * one `findPeople` by commercetools ID per person, measured on a sample (at
 * Salesforce's production pace a whole population of lookups would take an
 * hour) and scaled to 10,000.
 */
import { jobRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { runJob } from "../../job/src/run-job";
import { startBackends } from "./backends-client";
import { countCallsTo } from "./measure";
import { benchCloseRequestsPerSecond, benchCrmOneRequestsPerSecond, benchFreshsalesRequestsPerSecond, benchRuntime, crmUrl, type BenchCrm } from "./runtime";

/**
 * One whole pass, as an operator's reconciliation runs it: the scheduled
 * runs' slices are this same walk cut into pieces, so a pass costs the same
 * calls however it is sliced.
 */
async function onePass(runtime: Runtime): Promise<{ compared: number; drifted: number; repaired: number }> {
  const run = await runJob(runtime, { tasks: ["reconcile"] });
  if (run.outcome !== "succeeded") throw new Error(`reconciliation pass ${run.outcome}: ${run.detail ?? JSON.stringify(run.counts)}`);
  const count = (k: string) => run.counts[`reconcile.${k}`] ?? 0;
  const drifted = ["missing_in_crm", "stale_in_crm", "orphaned_in_crm", "ownership_violation"].reduce((n, k) => n + count(k), 0);
  return { compared: count("commercetools"), drifted, repaired: count("repaired") };
}

/** Reads back the first `sample` people one lookup each: the per-record comparison `readSynced` replaces. */
async function lookupEach(runtime: Runtime, sample: number): Promise<void> {
  const page = await runtime.commerce.pageById("customer", { limit: sample });
  for (const customer of page) await runtime.crm.findPeople({ sourceId: customer.id }, { correlationId: "bench-lookup-each" });
}

/** People looked up one by one for the baseline: enough for a stable rate, few enough for Salesforce's pace. */
const lookupSample = 200;

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
    countCallsTo(backends.urls.emulator, crmUrl(backends.urls, crm));
    const writtenOnce = await backends.measure(n, async () => {
      const backfill = await runJob(runtime, { tasks: ["backfill"], entities: ["customer"] });
      if (backfill.outcome !== "succeeded") throw new Error(`backfill ${backfill.outcome}: ${backfill.detail}`);
    });
    const sample = Math.min(lookupSample, n);
    const lookups = await backends.measure(sample, () => lookupEach(runtime, sample));
    let inSyncCounts = { compared: 0, drifted: 0, repaired: 0 };
    const inSync = await backends.measure(n, async () => void (inSyncCounts = await onePass(runtime)));
    const drifted = await driftOnePercent(runtime);
    let driftCounts = { compared: 0, drifted: 0, repaired: 0 };
    const withDrift = await backends.measure(n, async () => void (driftCounts = await onePass(runtime)));
    const per10k = (calls: number) => Math.round((calls / n) * 10_000);
    return {
      crm,
      people: n,
      pacedCallsPerSecond: runtime.crm.limits.requestsPerSecond,
      backfillOfTheSamePeople: { crmCalls: writtenOnce.crmCalls, crmCallsPer10kPeople: per10k(writtenOnce.crmCalls), ms: writtenOnce.ms },
      lookupEachBaseline: {
        sample,
        crmCalls: lookups.crmCalls,
        crmCallsPer10kPeople: Math.round((lookups.crmCalls / sample) * 10_000),
        msPer10kPeople: Math.round((lookups.ms / sample) * 10_000),
      },
      inSync: { ...inSync, compared: inSyncCounts.compared, drifted: inSyncCounts.drifted, crmCallsPer10kPeople: per10k(inSync.crmCalls), ctCallsPer10kPeople: per10k(inSync.ctCalls) },
      onePercentDrifted: {
        ...withDrift,
        changedInCommercetools: drifted,
        compared: driftCounts.compared,
        drifted: driftCounts.drifted,
        repaired: driftCounts.repaired,
        crmCallsPer10kPeople: per10k(withDrift.crmCalls),
        ctCallsPer10kPeople: per10k(withDrift.ctCalls),
      },
    };
  } finally {
    await backends.stop();
  }
}
