import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Customer } from "@commercetools/platform-sdk";
import express from "express";
import { CommercetoolsReader } from "@ct-crm-sync/core/commercetools/commerce-reader";
import { salesforceLimits } from "@ct-crm-sync/core/crm/salesforce/connector";
import type { PagePosition } from "@ct-crm-sync/core/ports/commerce";
import { inlineRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import type { Runtime } from "@ct-crm-sync/core/runtime";
import { logEntries } from "@ct-crm-sync/core/state/sync-log";
import { createEventApp } from "../../event/src/app";
import { decodeNotification, pushEnvelopeSchema } from "../../event/src/envelope";
import { inlineCrmDeadlineMs } from "../../event/src/message-handler";
import { notificationFor, pushEnvelope } from "../sandbox/pubsub-relay";
import { startBackends } from "./backends-client";
import { countCallsTo, percentile } from "./measure";
import { benchRuntime } from "./runtime";

/**
 * The event app at the Salesforce connector's production pacing (5 requests a
 * second), with 8, 64 and 256 pushes in flight: messages written a second
 * (acknowledged with the record in the CRM, not in the failure store), CRM and
 * commercetools calls per message, p95 push latency, pushes answered after
 * Pub/Sub's ack deadline, and 503s (pushes the app stepped back from). Beside
 * it, in the same run, one push written alone (the handler before micro-batching:
 * re-read the resource, one CRM call for its one record). Each row writes
 * customers of its own, so every message is a CRM write.
 */
const inFlight = (process.env.BENCH_EVENT_SCALE_IN_FLIGHT ?? "8,64,256").split(",").map(Number);
const batchedMessages = Number(process.env.BENCH_EVENT_SCALE_MESSAGES ?? 2_000);
/** At five calls a second a push written alone takes its turn in a queue: a few hundred show the rate. */
const aloneMessages = Number(process.env.BENCH_EVENT_SCALE_ALONE_MESSAGES ?? 200);
const ackDeadlineMs = 10_000;

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

/** CustomerCreated as Connect pushes it (the sandbox relay's envelope). */
const customerCreatedPush = (customer: Customer) =>
  JSON.stringify(pushEnvelope(notificationFor({ method: "POST", path: "customers", requestBody: {}, responseBody: { customer } }, "sandbox")));

/** Pushes every body with `concurrency` in flight; each answer's status and time. */
async function pushAll(url: string, bodies: string[], concurrency: number) {
  const answers: { status: number; ms: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const started = performance.now();
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      await response.arrayBuffer();
      answers.push({ status: response.status, ms: performance.now() - started });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

/**
 * The baseline: each push handled on its own as the event app did before
 * micro-batching (decode, re-read the customer, write its one record under the
 * push's deadline, one sync log entry), without its security and review steps,
 * which cost the same either way.
 */
function aloneApp(runtime: Runtime) {
  const app = express();
  app.use(express.json({ limit: "14mb" }));
  app.post("/", async (req, res) => {
    const decoded = decodeNotification(pushEnvelopeSchema.parse(req.body));
    if (!decoded.ok) return void res.status(202).end();
    const ctx = { correlationId: `msg-${decoded.messageId}`, signal: AbortSignal.timeout(inlineCrmDeadlineMs) };
    try {
      const outcomes = await runtime.sync.syncCustomer(decoded.notification.resource.id, ctx);
      await runtime.log.append("event", logEntries(outcomes, { at: new Date().toISOString(), correlationId: ctx.correlationId, connection: runtime.connection }));
      res.status(204).end();
    } catch {
      res.status(500).end();
    }
  });
  return app;
}

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Open and retrying entries of the connection (the failure store's kept counts). */
async function storedFailures(runtime: Runtime): Promise<number> {
  const counts = (await runtime.failures.counts(runtime.connection))["ct-to-crm"] ?? {};
  return Object.values(counts).flatMap((perClass) => Object.values(perClass ?? {})).reduce((n, c) => n + (c ?? 0), 0);
}

export async function eventScaleFigures() {
  const backends = await startBackends();
  const runs = inFlight.flatMap((k) => [
    { approach: "micro-batched", inFlight: k, messages: Math.max(batchedMessages, 4 * k) },
    { approach: "one push, one write", inFlight: k, messages: Math.max(aloneMessages, k) },
  ]);
  const servers: Awaited<ReturnType<typeof listen>>[] = [];
  try {
    await backends.seed(runs.reduce((sum, r) => sum + r.messages, 0), 0);
    const setup = benchRuntime(backends.urls, "salesforce", "bench-setup", inlineRetryPolicy);
    await setup.crm.ensureSchema({ correlationId: "bench-setup" });
    const customers = await allCustomers(new CommercetoolsReader(setup.api));
    countCallsTo(backends.urls.emulator, backends.urls.salesforce);

    const rows = [];
    let offset = 0;
    for (const run of runs) {
      // A runtime per row, at the connector's own (production) pacing: each row starts with an idle pacer.
      const runtime = benchRuntime(backends.urls, "salesforce", "event", inlineRetryPolicy);
      const server = await listen(run.approach === "micro-batched" ? createEventApp(runtime) : aloneApp(runtime));
      servers.push(server);
      const bodies = customers.slice(offset, (offset += run.messages)).map(customerCreatedPush);
      const storedBefore = await storedFailures(runtime);
      let answers: { status: number; ms: number }[] = [];
      const figures = await backends.measure(bodies.length, async () => {
        answers = await pushAll(server.url, bodies, run.inFlight);
      });
      const ok = answers.filter((a) => a.status === 204).length;
      const statuses: Record<string, number> = {};
      for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      const failed = (await storedFailures(runtime)) - storedBefore;
      await server.close();
      rows.push({
        approach: run.approach,
        pacedCallsPerSecond: salesforceLimits.requestsPerSecond,
        inFlight: run.inFlight,
        messages: run.messages,
        // Messages whose record reached the CRM: acknowledged, and not by way of the failure store.
        messagesPerSecond: Math.round(((ok - failed) / figures.ms) * 1000 * 10) / 10,
        crmCallsPerMessage: figures.crmCallsPerRecord,
        ctCallsPerMessage: figures.ctCallsPerRecord,
        p50PushMs: round1(percentile(answers.map((a) => a.ms), 50)),
        p95PushMs: round1(percentile(answers.map((a) => a.ms), 95)),
        maxPushMs: round1(Math.max(...answers.map((a) => a.ms))),
        answeredAfterDeadline: answers.filter((a) => a.ms > ackDeadlineMs).length,
        statuses,
        inFailureStore: failed,
        ms: figures.ms,
        crmCalls: figures.crmCalls,
        ctCalls: figures.ctCalls,
        cpuMs: figures.cpuMs,
        backendsCpuMs: figures.backendsCpuMs,
        peakRssMb: figures.peakRssMb,
      });
      console.log(JSON.stringify(rows.at(-1)));
    }
    return { crm: "salesforce", ackDeadlineMs, rows };
  } finally {
    await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
    await backends.stop();
  }
}
