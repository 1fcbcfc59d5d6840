import http from "node:http";
import type { AddressInfo } from "node:net";

export type CapturedNotification = Record<string, unknown> & {
  notificationType: string;
  type?: string;
  resource: { typeId: string; id: string };
  resourceVersion?: number;
};

/**
 * A Pub/Sub push endpoint that acknowledges everything and keeps the decoded
 * notifications, so a test can deliver them itself (duplicated, reordered,
 * concurrently) instead of the sandbox relay delivering them once in order.
 */
export async function startPushSink() {
  const notifications: CapturedNotification[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const envelope = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { message: { data: string } };
        notifications.push(JSON.parse(Buffer.from(envelope.message.data, "base64").toString("utf8")) as CapturedNotification);
      } catch {
        // Not ours to judge: the sink only records what it can read.
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    notifications,
    /** Notifications about one resource, in the order commercetools emitted them. */
    about: (id: string) => notifications.filter((n) => n.resource.id === id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type PushSink = Awaited<ReturnType<typeof startPushSink>>;

/** Arms a fault in a simulator from outside, as any test or person would. */
export async function armFault(simulatorUrl: string, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${simulatorUrl}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  if (response.status !== 201) throw new Error(`arming ${JSON.stringify(fault)} failed: ${response.status} ${await response.text()}`);
}

export async function clearFaults(simulatorUrl: string): Promise<void> {
  await fetch(`${simulatorUrl}/__sim/faults`, { method: "DELETE" });
}
