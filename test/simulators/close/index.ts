export { startCloseSimulator, closeDialect, closeBasePath, defaultCloseApiKey, type CloseSimulator } from "./server";
export { signCloseWebhook, buildDelivery, type CloseEventInput, type Delivery } from "./webhooks";
export type { RecordedRequest } from "./recorder";
