import type { Sandbox } from "../sandbox/sandbox";

/**
 * Every message on its way, both ways, delivered and handled: pushes to the
 * event app and Salesforce's Outbound Messages to the service, three rounds,
 * since a write in one direction can start a delivery in the other.
 */
export async function settledWithSalesforce(sandbox: Sandbox): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await sandbox.relay.drained();
    await sandbox.salesforce.outboundMessages.drained();
  }
}
