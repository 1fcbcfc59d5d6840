import { safeKeyPart } from "../domain/keys";
import type { KeyValueStore } from "../ports/key-value-store";
import { containers } from "./containers";

/** A webhook subscription the service made in the CRM, and the secret the CRM issued for it. */
export type WebhookSubscriptionRecord = { url: string; issuedSecret?: string; subscribedAt: string };

/**
 * Where the secret a CRM issues once, when we subscribe to its webhooks
 * (Close's `signature_key`), is kept: a custom object of this connection,
 * which the apps read with their own API client. Connect gives postDeploy no
 * way to set an app's configuration, and the secret only proves that a
 * delivery comes from the CRM; whoever can read custom objects of the project
 * can already read and change the data those deliveries would change.
 */
export class WebhookStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly connection: string,
  ) {}

  private key() {
    return safeKeyPart(this.connection);
  }

  async get(): Promise<WebhookSubscriptionRecord | undefined> {
    return (await this.store.get<WebhookSubscriptionRecord>(containers.webhooks, this.key()))?.value;
  }

  async save(record: WebhookSubscriptionRecord): Promise<void> {
    const current = await this.store.get<WebhookSubscriptionRecord>(containers.webhooks, this.key());
    await this.store.put(containers.webhooks, this.key(), record, current?.version);
  }
}
