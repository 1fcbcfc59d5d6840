import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { BackendUrls } from "./backends";
import { type Figures, measure } from "./measure";

export type CrmUrls = Pick<BackendUrls, "salesforce" | "closeApi" | "closeApiKey" | "freshsalesApi" | "freshsalesApiKey" | "dynamics" | "crmoneApi">;

/** The emulator and simulators running in a child process (backends.ts), and its control API. */
export type Backends = {
  urls: BackendUrls;
  seed(customers: number, ordersPerCustomer: number): Promise<void>;
  /** Empty CRM simulators (new URLs): the copy loop and the job each create their records. */
  freshCrm(): Promise<CrmUrls>;
  relayTo(pushUrl: string | undefined): Promise<void>;
  stats(): Promise<{ heapUsedMb: number; rssMb: number; cpuMs: number; relay: { published: number; delivered: number; redelivered: number; pending: number } }>;
  /** The task's figures, with the CPU time the backends process spent meanwhile (emulator and simulators at work). */
  measure(records: number, task: () => Promise<void>): Promise<Figures & { backendsCpuMs: number }>;
  stop(): Promise<void>;
};

const script = fileURLToPath(new URL("./backends.ts", import.meta.url));
/** Extra node flags for the backends process, e.g. `--cpu-prof --cpu-prof-dir=prof` to see where the emulator spends its time. */
const nodeFlags = (process.env.BENCH_BACKENDS_NODE_FLAGS ?? "").split(" ").filter(Boolean);

export async function startBackends(): Promise<Backends> {
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, "--conditions=ct-crm-sync-tests", "--import", "tsx", script], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const urls = await new Promise<BackendUrls>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`backends exited with ${code} before starting`)));
    lines.once("line", (line) => resolve((JSON.parse(line) as { urls: BackendUrls }).urls));
  });
  const call = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> => {
    const response = await fetch(urls.control + path, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`backends ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
  };
  return {
    urls,
    seed: async (customers, ordersPerCustomer) => void (await call("POST", "/seed", { customers, ordersPerCustomer })),
    freshCrm: async () => Object.assign(urls, await call<CrmUrls>("POST", "/crm/fresh")),
    relayTo: async (pushUrl) => void (await call("POST", "/relay", pushUrl ? { pushUrl } : {})),
    stats: () => call("GET", "/stats"),
    measure: async (records, task) => {
      const before = await call<{ cpuMs: number }>("GET", "/stats");
      const figures = await measure(records, task);
      const after = await call<{ cpuMs: number }>("GET", "/stats");
      return { ...figures, backendsCpuMs: after.cpuMs - before.cpuMs };
    },
    stop: async () => {
      await call("POST", "/stop").catch(() => child.kill());
      child.stdin!.end();
      await exited;
    },
  };
}
