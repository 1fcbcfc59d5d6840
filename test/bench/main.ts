/**
 * `npm run bench` (issue 6, and issue 2's event figures): backfill N customers
 * with one order each into the Salesforce and Close simulators through the
 * job, against a plain copy loop (read a page, write a batch, no mapping, no
 * links, no checkpoints) as the baseline; then the event app's throughput and
 * write-to-CRM latency. The emulator and simulators run in a child process
 * (backends.ts); the job, copy loop and event app run here, so memory figures
 * are ours alone. Writes test-output/bench-results.json.
 *
 * BENCH_SIZES / BENCH_CLOSE_SIZES / BENCH_FRESHSALES_SIZES / BENCH_DYNAMICS_SIZES / BENCH_CRMONE_SIZES (comma lists), BENCH_CRMS (which CRMs' rows), BENCH_CLOSE_RPS, BENCH_FRESHSALES_RPS, BENCH_CRMONE_RPS,
 * BENCH_EVENT_CUSTOMERS, BENCH_LATENCY_CUSTOMERS, BENCH_EVENT_SCALE_IN_FLIGHT / _MESSAGES / _ALONE_MESSAGES,
 * BENCH_RECONCILE_SIZES / BENCH_RECONCILE_CRMS (a full rolling-reconciliation pass, in sync and 1 % drifted),
 * BENCH_PARTS (backfill,event-scale,event,reconcile) override the defaults. Rows of parts not run this time are kept
 * from the previous results file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Customer, Order } from "@commercetools/platform-sdk";
import { CommercetoolsReader } from "@ct-crm-sync/core/commercetools/commerce-reader";
import { closeLimits } from "@ct-crm-sync/core/crm/close/connector";
import { crmOneLimits } from "@ct-crm-sync/core/crm/crmone/connector";
import { bulkThreshold as dynamicsBulkThreshold } from "@ct-crm-sync/core/crm/dynamics/adapter";
import { maxBatchOperations } from "@ct-crm-sync/core/crm/dynamics/batch";
import { dynamicsLimits } from "@ct-crm-sync/core/crm/dynamics/connector";
import { defaultReservePercent } from "@ct-crm-sync/core/crm/freshsales/connector";
import { salesforceLimits } from "@ct-crm-sync/core/crm/salesforce/connector";
import { orderActivityKey } from "@ct-crm-sync/core/domain/keys";
import type { CanonicalRecord, OrderActivity, Person } from "@ct-crm-sync/core/domain/model";
import type { PagePosition } from "@ct-crm-sync/core/ports/commerce";
import type { CrmAdapter } from "@ct-crm-sync/core/ports/crm-outbound";
import { jobRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { runJob } from "../../job/src/run-job";
import { startBackends } from "./backends-client";
import { eventFigures } from "./event-figures";
import { eventScaleFigures } from "./event-scale";
import { callCounts, countCallsTo } from "./measure";
import { reconcileFigures } from "./reconcile-figures";
import { benchCloseRequestsPerSecond, benchCrmOneRequestsPerSecond, benchFreshsalesRequestsPerSecond, benchRuntime, crmUrl, type BenchCrm } from "./runtime";

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(",").filter(Boolean);
const sizes = list(process.env.BENCH_SIZES, "1000,10000,100000").map(Number);
const closeSizes = list(process.env.BENCH_CLOSE_SIZES, "100,1000").map(Number);
const freshsalesSizes = list(process.env.BENCH_FRESHSALES_SIZES, "1000,10000").map(Number);
const dynamicsSizes = list(process.env.BENCH_DYNAMICS_SIZES, "1000,10000").map(Number);
const crmoneSizes = list(process.env.BENCH_CRMONE_SIZES, "1000,10000").map(Number);
const crms = new Set(list(process.env.BENCH_CRMS, "salesforce,close,freshsales,dynamics,crmone"));
const reconcileSizes = list(process.env.BENCH_RECONCILE_SIZES, "10000").map(Number);
const reconcileCrms = list(process.env.BENCH_RECONCILE_CRMS, "salesforce,close") as BenchCrm[];
const parts = new Set(list(process.env.BENCH_PARTS, "backfill,event-scale,event,reconcile"));
const pageSize = 500;
/** People buffered before a write, as the job buffers them for the bulk path (its default bulkChunkSize). */
const chunkSize = 10_000;

/** The baseline: keyset pages, each record copied as-is (no mapping, links, failures or checkpoints), written in batches. */
async function copyLoop(runtime: Runtime, customersDone: () => void) {
  const reader = new CommercetoolsReader(runtime.api);
  const crm = runtime.crm;
  const ctx = { correlationId: "bench-copy" };
  await copyEntity(reader, "customer", (customers: Customer[]) =>
    writeBatches(crm, "person", customers.map((c): Person => ({ kind: "person", sourceId: c.id, sourceVersion: c.version, email: c.email, lastName: c.lastName })), ctx),
  );
  customersDone();
  await copyEntity(reader, "order", (orders: Order[]) =>
    writeBatches(
      crm,
      "order",
      orders.map(
        (o): OrderActivity => ({
          kind: "order",
          sourceId: o.id,
          sourceVersion: o.version,
          activityKey: orderActivityKey(o.id),
          orderNumber: o.orderNumber,
          personSourceId: o.customerId,
          email: o.customerEmail,
          total: o.totalPrice,
          orderState: o.orderState,
          createdAt: o.createdAt,
          lines: [],
          lineSummary: "",
        }),
      ),
      ctx,
    ),
  );
}

async function copyEntity<T extends Customer | Order>(reader: CommercetoolsReader, typeId: "customer" | "order", write: (items: T[]) => Promise<void>) {
  let after: PagePosition | undefined;
  let buffered: T[] = [];
  for (;;) {
    const page = (await reader.page(typeId, { after, limit: pageSize })) as T[];
    buffered.push(...page);
    if (buffered.length >= chunkSize || page.length < pageSize) {
      await write(buffered);
      buffered = [];
    }
    if (page.length < pageSize) return;
    after = { lastModifiedAt: page.at(-1)!.lastModifiedAt, id: page.at(-1)!.id };
  }
}

async function writeBatches(crm: CrmAdapter, kind: "person" | "order", records: CanonicalRecord[], ctx: { correlationId: string }) {
  if (kind === "person" && crm.bulk && records.length >= crm.bulk.threshold) {
    await crm.bulk.upsertPeople(records as Person[], ctx);
    return;
  }
  const size = crm.limits.maxBatchSize;
  for (let i = 0; i < records.length; i += size) {
    const batch = records.slice(i, i + size);
    await (kind === "person" ? crm.upsertPeople(batch as Person[], ctx) : crm.upsertOrders(batch as OrderActivity[], ctx));
  }
}

async function backfill(crm: BenchCrm, n: number) {
  const backends = await startBackends();
  try {
    await backends.seed(n, 1);
    const records = 2 * n;
    const raised = { close: benchCloseRequestsPerSecond, freshsales: benchFreshsalesRequestsPerSecond, crmone: benchCrmOneRequestsPerSecond } as Partial<Record<BenchCrm, number>>;
    const pacing = { requestsPerSecond: raised[crm] };
    const copyRuntime = benchRuntime(backends.urls, crm, "bench-copy", jobRetryPolicy, pacing);
    await copyRuntime.crm.ensureSchema({ correlationId: "bench-setup" });
    countCallsTo(backends.urls.emulator, crmUrl(backends.urls, crm));
    const copyCustomers = { calls: 0, ms: 0 };
    const baseline = await backends.measure(records, () => {
      const start = performance.now();
      return copyLoop(copyRuntime, () => Object.assign(copyCustomers, { calls: callCounts().crm, ms: performance.now() - start }));
    });

    // The job writes into empty simulators too, so both create every record.
    await backends.freshCrm();
    const jobRuntime = benchRuntime(backends.urls, crm, "job", jobRetryPolicy, pacing);
    await jobRuntime.crm.ensureSchema({ correlationId: "bench-setup" });
    countCallsTo(backends.urls.emulator, crmUrl(backends.urls, crm));
    let counts: Record<string, number> = {};
    // CRM calls and time at the customer pass's last checkpoint: the people's share (no CRM call comes between).
    const jobCustomers = { calls: 0, ms: 0 };
    const job = await backends.measure(records, async () => {
      const start = performance.now();
      const onCheckpoint = (entity: string) => void (entity === "customer" && Object.assign(jobCustomers, { calls: callCounts().crm, ms: performance.now() - start }));
      const run = await runJob(jobRuntime, { tasks: ["backfill"], entities: ["customer", "order"] }, { onCheckpoint });
      if (run.outcome !== "succeeded") throw new Error(`backfill ${run.outcome}: ${run.detail}`);
      counts = run.counts;
    });
    // Figures of a run that did not write everything are kept, with what it did (the rest is in the failure store).
    const written = (counts["backfill.customer.written"] ?? 0) + (counts["backfill.order.written"] ?? 0);
    const failed = (counts["backfill.customer.failed"] ?? 0) + (counts["backfill.order.failed"] ?? 0);
    const byEntity = (f: { crmCalls: number; ms: number }, customers: { calls: number; ms: number }) => ({
      crmCallsByEntity: { customer: customers.calls, order: f.crmCalls - customers.calls },
      msByEntity: { customer: Math.round(customers.ms), order: Math.round(f.ms - customers.ms) },
    });
    return {
      crm,
      customers: n,
      orders: n,
      written,
      failed,
      ...idealCalls(crm, n),
      ...(crm === "freshsales" ? { hourlyBudget: planHours(jobCustomers.calls / n, job.crmCalls / n) } : {}),
      job: { ...job, ...byEntity(job, jobCustomers) },
      baseline: { ...baseline, ...byEntity(baseline, copyCustomers) },
      jobVsCopy: Math.round((job.recordsPerSecond / baseline.recordsPerSecond) * 100) / 100,
    };
  } finally {
    await backends.stop();
  }
}

/** Freshsales' plans (calls an hour): how long a backfill's calls take within each plan's hourly allowance, the default share kept for other integrations. */
const freshsalesPlans = [1_000, 2_000, 5_000];

function planHours(callsPerCustomer: number, callsPerCustomerWithOrder: number) {
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    callsPerCustomer: round(callsPerCustomer),
    callsPerCustomerWithOneOrder: round(callsPerCustomerWithOrder),
    reservePercent: defaultReservePercent,
    plans: freshsalesPlans.map((perHour) => {
      const allowance = (perHour * (100 - defaultReservePercent)) / 100;
      return { perHour, allowance, hoursFor100kCustomers: round((callsPerCustomer * 100_000) / allowance), hoursFor100kCustomersWithOneOrderEach: round((callsPerCustomerWithOrder * 100_000) / allowance) };
    }),
  };
}

/** ⌈N / batch size⌉ per entity: what a backfill would cost with one CRM call per batch. */
function idealCalls(crm: BenchCrm, n: number) {
  // Close has no batch write: at best one write request per record.
  if (crm === "close") return { batchSize: { person: 1, order: 1 }, idealCrmCalls: 2 * n, pacedCallsPerSecond: benchCloseRequestsPerSecond, productionCallsPerSecond: closeLimits.requestsPerSecond };
  // CRM One has no batch endpoint either; the job's calls at the production pace are the backfill's duration there.
  if (crm === "crmone") return { batchSize: { person: 1, order: 1 }, idealCrmCalls: 2 * n, pacedCallsPerSecond: benchCrmOneRequestsPerSecond, productionCallsPerSecond: crmOneLimits.requestsPerSecond };
  // Freshsales: a bulk_upsert of 100 and the status read that answers its per-record results.
  if (crm === "freshsales") return { batchSize: { person: 100, order: 100 }, idealCrmCalls: 2 * (2 * Math.ceil(n / 100)), pacedCallsPerSecond: benchFreshsalesRequestsPerSecond };
  // Dynamics: one $batch per page of records; backfills of 1,000 people or more take the bulk path, $batch calls of 1,000.
  if (crm === "dynamics") {
    const person = n >= dynamicsBulkThreshold ? maxBatchOperations : dynamicsLimits.maxBatchSize;
    return { batchSize: { person, order: dynamicsLimits.maxBatchSize }, idealCrmCalls: Math.ceil(n / person) + Math.ceil(n / dynamicsLimits.maxBatchSize), pacedCallsPerSecond: dynamicsLimits.requestsPerSecond };
  }
  const person = n >= 2_000 ? Math.min(n, chunkSize) : salesforceLimits.maxBatchSize;
  const order = salesforceLimits.maxBatchSize;
  return { batchSize: { person, order }, idealCrmCalls: Math.ceil(n / person) + Math.ceil(n / order), pacedCallsPerSecond: salesforceLimits.requestsPerSecond };
}

async function main() {
  const file = "test-output/bench-results.json";
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  const results: Record<string, unknown> = { ...previous, at: new Date().toISOString(), node: process.version, cpus: (await import("node:os")).cpus().length };
  const write = () => {
    mkdirSync("test-output", { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  };
  if (parts.has("backfill")) {
    const backfills: unknown[] = (results.backfill = []);
    for (const [crm, crmSizes] of [["salesforce", sizes], ["close", closeSizes], ["freshsales", freshsalesSizes], ["dynamics", dynamicsSizes], ["crmone", crmoneSizes]] as const) {
      if (!crms.has(crm)) continue;
      for (const n of crmSizes) {
        console.log(`${crm} backfill n=${n} …`);
        backfills.push(await backfill(crm, n));
        console.log(JSON.stringify(backfills.at(-1)));
        write();
      }
    }
  }
  if (parts.has("event-scale")) {
    console.log("event app at production pacing, 8/64/256 in flight …");
    results.eventScale = await eventScaleFigures();
    write();
  }
  if (parts.has("event")) {
    console.log("event app …");
    results.event = await eventFigures();
    console.log(JSON.stringify(results.event));
    write();
  }
  if (parts.has("reconcile")) {
    const passes: unknown[] = (results.reconcile = []);
    for (const crm of reconcileCrms) {
      for (const n of reconcileSizes) {
        console.log(`${crm} rolling reconciliation, full pass over ${n} people …`);
        passes.push(await reconcileFigures(crm, n));
        console.log(JSON.stringify(passes.at(-1)));
        write();
      }
    }
  }
  console.log(`written ${file}`);
}

await main();
process.exit(0);
