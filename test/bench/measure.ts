/**
 * What the bench measures in its own process: API calls per host (every
 * request undici starts, by `fetch` or by `request`; token requests not counted), wall time, and peak heap/RSS sampled
 * every 50 ms. The emulator and simulators run in another process, so the
 * memory figures are our code's alone.
 */
import { subscribe } from "node:diagnostics_channel";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** A full collection before each measurement, so its peak heap does not count an earlier one's garbage. */
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

export type Figures = {
  records: number;
  ms: number;
  recordsPerSecond: number;
  crmCalls: number;
  crmCallsPerRecord: number;
  ctCalls: number;
  ctCallsPerRecord: number;
  peakHeapMb: number;
  peakRssMb: number;
  /** CPU time of this process (user + system) during the task: our code's work. */
  cpuMs: number;
};

const hosts = { ct: "", crm: "" };
let counts = { ct: 0, crm: 0 };

// Node's fetch and the undici package both publish every request they start here.
subscribe("undici:request:create", (message) => {
  const { origin, path } = (message as { request: { origin: string | URL; path: string } }).request;
  const url = String(origin).replace(/\/$/, "") + path;
  if (hosts.ct && url.startsWith(hosts.ct) && !url.includes("/oauth/")) counts.ct++;
  else if (hosts.crm && url.startsWith(hosts.crm) && !url.includes("/oauth2/")) counts.crm++;
});

/** Which base URLs count as commercetools and as the CRM from now on. */
export function countCallsTo(ct: string, crm: string): void {
  hosts.ct = ct;
  hosts.crm = crm;
}

export function callCounts(): { ct: number; crm: number } {
  return { ...counts };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export async function measure(records: number, task: () => Promise<void>): Promise<Figures> {
  collectGarbage();
  counts = { ct: 0, crm: 0 };
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  sample();
  const timer = setInterval(sample, 50);
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    await task();
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  sample();
  return {
    records,
    ms: Math.round(ms),
    recordsPerSecond: Math.round((records / ms) * 1000),
    crmCalls: counts.crm,
    crmCallsPerRecord: round3(counts.crm / records),
    ctCalls: counts.ct,
    ctCallsPerRecord: round3(counts.ct / records),
    peakHeapMb: Math.round(peakHeap / 2 ** 20),
    peakRssMb: Math.round(peakRss / 2 ** 20),
    cpuMs: Math.round((user + system) / 1000),
  };
}

/** Nearest-rank percentile of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
