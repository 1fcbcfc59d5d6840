/**
 * `npm run bench`: backfill N customers (with one order each) into the
 * Salesforce and Close simulators through the job, against a plain copy loop
 * (read a page, write a batch, no mapping, no links) as the baseline.
 * Everything runs in this process on 127.0.0.1; counts come from wrapping
 * fetch, memory from sampling RSS/heap. BENCH_SIZES / BENCH_CLOSE_SIZES / BENCH_MAX_MS override.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import type { Customer } from "@commercetools/platform-sdk";
import { CommercetoolsReader } from "@ct-crm-sync/core/commercetools/commerce-reader";
import type { PagePosition } from "@ct-crm-sync/core/ports/commerce";
import { runJob } from "../../job/src/run-job";
import { startSandbox, type Sandbox } from "../sandbox/sandbox";
import { seedCustomers } from "./seed-data";

type Figures = { n: number; ms: number; recordsPerSecond: number; crmCalls: number; crmCallsPerRecord: number; ctCalls: number; ctCallsPerRecord: number; peakHeapMb: number; peakRssMb: number };

const sizes = (process.env.BENCH_SIZES ?? "1000,10000,100000").split(",").map(Number);
const closeSizes = (process.env.BENCH_CLOSE_SIZES ?? "100").split(",").map(Number);
const maxMs = Number(process.env.BENCH_MAX_MS ?? 15 * 60_000);

const original = globalThis.fetch;
let counter = { ct: 0, crm: 0 };
let hosts = { ct: "", crm: "" };
globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (url.startsWith(hosts.ct) && !url.includes("/oauth/")) counter.ct++;
  else if (url.startsWith(hosts.crm) && !url.includes("/oauth2/")) counter.crm++;
  return original(input, init);
}) as typeof fetch;

async function measure(n: number, task: () => Promise<void>): Promise<Figures> {
  global.gc?.();
  counter = { ct: 0, crm: 0 };
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const timer = setInterval(sample, 50);
  const started = performance.now();
  await task();
  const ms = performance.now() - started;
  clearInterval(timer);
  sample();
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n,
    ms: Math.round(ms),
    recordsPerSecond: Math.round((n / ms) * 1000),
    crmCalls: counter.crm,
    crmCallsPerRecord: r(counter.crm / n),
    ctCalls: counter.ct,
    ctCallsPerRecord: r(counter.ct / n),
    peakHeapMb: Math.round(peakHeap / 2 ** 20),
    peakRssMb: Math.round(peakRss / 2 ** 20),
  };
}

/** The baseline: keyset pages of customers, each written as one batch, no mapping, no links, no checkpoints. */
async function copyLoop(sandbox: Sandbox) {
  const reader = new CommercetoolsReader(sandbox.api);
  const crm = sandbox.runtimes.job.crm;
  let after: PagePosition | undefined;
  let batch: { kind: "person"; sourceId: string; sourceVersion: number; email?: string; lastName?: string }[] = [];
  const threshold = crm.bulk?.threshold ?? Infinity;
  const flush = async () => {
    if (!batch.length) return;
    if (crm.bulk && batch.length >= threshold) await crm.bulk.upsertPeople(batch, { correlationId: "bench-copy" });
    else for (let i = 0; i < batch.length; i += crm.limits.maxBatchSize) await crm.upsertPeople(batch.slice(i, i + crm.limits.maxBatchSize), { correlationId: "bench-copy" });
    batch = [];
  };
  for (;;) {
    const page = (await reader.page("customer", { after, limit: 500 })) as Customer[];
    if (!page.length) break;
    batch.push(...page.map((c) => ({ kind: "person" as const, sourceId: c.id, sourceVersion: c.version, email: c.email, lastName: c.lastName })));
    if (batch.length >= 10_000) await flush();
    after = { lastModifiedAt: page.at(-1)!.lastModifiedAt, id: page.at(-1)!.id };
    if (page.length < 500) break;
  }
  await flush();
}

async function withDeadline<T>(promise: Promise<T>): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), maxMs)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function benchOne(crm: "salesforce" | "close", n: number) {
  const sandbox = await startSandbox({ ports: "ephemeral", crm, captureLogs: true });
  try {
    hosts = { ct: sandbox.urls.emulator, crm: crm === "salesforce" ? sandbox.urls.salesforce : sandbox.urls.close };
    await seedCustomers(sandbox.emulator, n, { ordersPerCustomer: 1 });
    const baseline = await withDeadline(measure(n, () => copyLoop(sandbox)));
    // The job then upserts over the copy loop's records: the same calls as creating them.
    const job = await withDeadline(
      measure(n, async () => {
        const run = await runJob(sandbox.runtimes.job, { tasks: ["backfill"], entities: ["customer"] });
        if (run.outcome !== "succeeded") throw new Error(`backfill ${run.outcome}: ${run.detail}`);
      }),
    );
    const batchSize = crm === "salesforce" ? (n >= 2_000 ? 10_000 : 200) : 1;
    return { crm, n, batchSize, idealCrmCalls: Math.ceil(n / batchSize), job, baseline };
  } finally {
    await sandbox.stop();
  }
}

const results = [];
for (const n of sizes) {
  console.log(`salesforce n=${n} …`);
  results.push(await benchOne("salesforce", n));
  console.log(JSON.stringify(results.at(-1)));
}
for (const n of closeSizes) {
  console.log(`close n=${n} …`);
  results.push(await benchOne("close", n));
  console.log(JSON.stringify(results.at(-1)));
}
mkdirSync("test-output", { recursive: true });
writeFileSync("test-output/bench-results.json", JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2));
console.log("written test-output/bench-results.json");
process.exit(0);
