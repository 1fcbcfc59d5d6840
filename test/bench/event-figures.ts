import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Customer } from "@commercetools/platform-sdk";
import { CommercetoolsReader } from "@ct-crm-sync/core/commercetools/commerce-reader";
import type { PagePosition } from "@ct-crm-sync/core/ports/commerce";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { inlineRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createEventApp } from "../../event/src/app";
import { notificationFor, pushEnvelope } from "../sandbox/pubsub-relay";
import { startBackends } from "./backends-client";
import { countCallsTo, percentile } from "./measure";
import { benchRuntime } from "./runtime";

const customersPerRun = Number(process.env.BENCH_EVENT_CUSTOMERS ?? 2_000);
const inFlight = (process.env.BENCH_EVENT_IN_FLIGHT ?? "1,8").split(",").map(Number);
const latencyCustomers = Number(process.env.BENCH_LATENCY_CUSTOMERS ?? 200);
/** At production pacing the CRM calls a second bound the rate; a few hundred messages show it. */
const productionPacedMessages = Number(process.env.BENCH_EVENT_PACED_CUSTOMERS ?? 200);

async function allCustomers(reader: CommercetoolsReader): Promise<Customer[]> {
  const customers: Customer[] = [];
  let after: PagePosition | undefined;
  for (;;) {
    const page = await reader.page("customer", { after, limit: 500 });
    customers.push(...page);
    if (page.length < 500) return customers;
    after = { lastModifiedAt: page.at(-1)!.lastModifiedAt, id: page.at(-1)!.id };
  }
}

/** CustomerCreated as Connect pushes it (the sandbox relay's envelope), carrying the customer. */
function customerCreatedPush(customer: Customer): string {
  const notification = notificationFor({ method: "POST", path: "customers", requestBody: {}, responseBody: { customer } }, "sandbox");
  return JSON.stringify(pushEnvelope(notification));
}

async function pushAll(url: string, bodies: string[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      await response.arrayBuffer();
      if (response.status !== 204) throw new Error(`event app answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Salesforce pacing for the "raised" runs: high enough that our own limiter is not what is measured. */
const raisedRequestsPerSecond = Number(process.env.BENCH_EVENT_RPS ?? 1_000);

async function listen(runtime: Runtime): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const listening = createEventApp(runtime).listen(0, "127.0.0.1", () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Issue 2's figures, through the real event app against the Salesforce
 * simulator. Throughput: messages per second with K pushes in flight, each run
 * on its own customers so every message is a CRM write; once at the adapter's
 * production pacing (salesforceLimits: CRM calls a second) and with the pacing
 * raised, which shows what the app itself sustains. Latency: customers created
 * one by one in the emulator, the sandbox relay turning each write into a push,
 * until the contact is stored in the CRM (pacing raised).
 */
export async function eventFigures() {
  const backends = await startBackends();
  const written = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const onPeopleWritten = (ids: string[]) => {
    const at = performance.now();
    for (const id of ids) {
      written.set(id, at);
      waiting.get(id)?.(at);
    }
  };
  const production = benchRuntime(backends.urls, "salesforce", "event", inlineRetryPolicy);
  const raised = benchRuntime(backends.urls, "salesforce", "event", inlineRetryPolicy, { requestsPerSecond: raisedRequestsPerSecond, onPeopleWritten });
  const runs = [
    { pacing: "production", runtime: production, inFlight: Math.max(...inFlight), messages: productionPacedMessages },
    ...inFlight.map((k) => ({ pacing: "raised", runtime: raised, inFlight: k, messages: customersPerRun })),
  ];
  const apps: Awaited<ReturnType<typeof listen>>[] = [];
  try {
    await backends.seed(runs.reduce((sum, r) => sum + r.messages, 0), 0);
    await raised.crm.ensureSchema({ correlationId: "bench-setup" });
    const customers = await allCustomers(new CommercetoolsReader(raised.api));
    countCallsTo(backends.urls.emulator, backends.urls.salesforce);

    const throughput = [];
    let offset = 0;
    for (const run of runs) {
      const app = await listen(run.runtime);
      apps.push(app);
      const bodies = customers.slice(offset, (offset += run.messages)).map(customerCreatedPush);
      const figures = await backends.measure(bodies.length, () => pushAll(app.url, bodies, run.inFlight));
      const pacedCallsPerSecond = run.runtime.crm.limits.requestsPerSecond;
      throughput.push({ pacing: run.pacing, pacedCallsPerSecond, inFlight: run.inFlight, messagesPerSecond: figures.recordsPerSecond, ...figures });
    }

    await backends.relayTo(apps.at(-1)!.url);
    const latenciesMs: number[] = [];
    for (let i = 0; i < latencyCustomers; i++) {
      const started = performance.now();
      const { body } = await raised.api
        .customers()
        .post({ body: { email: `latency${i}@example.com`, firstName: "Latency", lastName: `Buyer${i}`, password: "x" } })
        .execute();
      const id = body.customer.id;
      const stored = written.get(id) ?? (await new Promise<number>((resolve) => waiting.set(id, resolve)));
      waiting.delete(id);
      latenciesMs.push(stored - started);
    }
    const relay = (await backends.stats()).relay;
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
      crm: "salesforce",
      throughput,
      writeToCrm: {
        pacedCallsPerSecond: raisedRequestsPerSecond,
        customers: latencyCustomers,
        p50Ms: round(percentile(latenciesMs, 50)),
        p95Ms: round(percentile(latenciesMs, 95)),
        maxMs: round(Math.max(...latenciesMs)),
        redelivered: relay.redelivered,
      },
    };
  } finally {
    await backends.relayTo(undefined).catch(() => undefined);
    await Promise.all(apps.map((app) => app.close()));
    await backends.stop();
  }
}
