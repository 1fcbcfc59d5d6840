import { z } from "zod";
import { httpUrl, nonEmptyString } from "../../config/env";
import { baseMappingConfig } from "../../domain/mapping-config";
import type { CrmLimits } from "../../ports/crm-outbound";
import { defineConnector } from "../kit/define-connector";
import { Pacer } from "../kit/pacing";
import { sharedSecretHeader } from "../kit/shared-secret";
import { dynamicsAdapter } from "./adapter";
import { dataverseApi } from "./api";
import { recordReader } from "./inbound/records";
import { dataverseWebhooks } from "./inbound/webhook";
import { previewBody } from "./mapping";
import { guidPattern } from "./odata";

/**
 * Dataverse's service protection allows a user 6,000 requests per 300 s (20
 * a second), 1,200 s of execution time per 300 s and 52 requests at once; a
 * connection stays below all three. A call carries up to `maxBatchSize`
 * records in one `$batch`.
 */
export const dynamicsLimits: CrmLimits = { maxBatchSize: 100, requestsPerSecond: 15, maxConcurrency: 8 };

const guid = z.string().regex(guidPattern, "a GUID such as 00000000-0000-0000-0000-000000000000");

export const connector = defineConnector({
  name: "dynamics",
  label: "Dynamics 365",
  settings: {
    DYNAMICS_ORG_URL: { schema: httpUrl, description: "Your Dataverse environment's URL, such as https://contoso.crm4.dynamics.com (Power Platform admin center → Environments → Environment URL)" },
    DYNAMICS_TENANT_ID: { schema: nonEmptyString, description: "Directory (tenant) ID of your Microsoft Entra tenant (the app registration's Overview page)" },
    DYNAMICS_CLIENT_ID: { schema: nonEmptyString, description: "Application (client) ID of the app registration that has an application user in the environment" },
    DYNAMICS_CLIENT_SECRET: { schema: nonEmptyString, secured: true, description: "A client secret of that app registration (Certificates & secrets)" },
    DYNAMICS_AUTHORITY_URL: {
      schema: httpUrl.default("https://login.microsoftonline.com"),
      description: "Microsoft identity authority (keep the default unless your tenant is in a national cloud)",
    },
    DYNAMICS_TOKEN_CLIENT: {
      schema: z.enum(["auto", "msal", "form"]).default("auto"),
      description: "How tokens are requested: auto (MSAL for an https authority, a plain form POST for a local stand-in), msal, or form",
    },
    DYNAMICS_WEBHOOK_KEY: {
      schema: nonEmptyString.optional(),
      secured: true,
      description: `A key of your choosing for Dataverse webhooks: register the service endpoint with the WebhookKey authentication (sent as ?code=) or HttpHeader with ${sharedSecretHeader}; without it every webhook is refused`,
    },
    DYNAMICS_APPLICATION_USER_ID: {
      schema: guid.optional(),
      description: "The systemuserid of the app registration's application user: webhook deliveries of changes it made are ct-crm-sync's own writes coming back",
    },
    DYNAMICS_REQUESTS_PER_SECOND: {
      schema: z.coerce.number().positive().max(20).default(dynamicsLimits.requestsPerSecond),
      description: `Requests a second sent to Dataverse (default ${dynamicsLimits.requestsPerSecond}; its service protection allows 20)`,
    },
    DYNAMICS_MAX_CONCURRENCY: {
      schema: z.coerce.number().int().min(1).max(51).default(dynamicsLimits.maxConcurrency),
      description: `Requests in flight at once (default ${dynamicsLimits.maxConcurrency}; Dataverse refuses a 53rd)`,
    },
  },
  limits: dynamicsLimits,
  targetRule: { pattern: "^[a-z][a-z0-9_]*(@odata\\.bind)?$", message: "must be a Dataverse column's logical name (lower case) such as telephone2 or ct_loyaltytier, or a lookup's navigation property with @odata.bind" },
  defaultMapping: {
    ...baseMappingConfig("dynamics"),
    consent: {
      email: { target: "donotbulkemail", invert: true, atTarget: "ct_emailconsentat" },
      sms: { target: "ct_smsconsent", invert: false, atTarget: "ct_smsconsentat" },
    },
  },
  previewFields: previewBody,

  connect(settings) {
    const limits = { ...dynamicsLimits, requestsPerSecond: settings.DYNAMICS_REQUESTS_PER_SECOND, maxConcurrency: settings.DYNAMICS_MAX_CONCURRENCY };
    const tokenSettings = {
      authorityUrl: settings.DYNAMICS_AUTHORITY_URL,
      tenantId: settings.DYNAMICS_TENANT_ID,
      clientId: settings.DYNAMICS_CLIENT_ID,
      clientSecret: settings.DYNAMICS_CLIENT_SECRET,
      orgUrl: settings.DYNAMICS_ORG_URL,
      client: settings.DYNAMICS_TOKEN_CLIENT,
    };
    // One pacer for the connection: both directions count against the same user's service protection.
    const api = dataverseApi(tokenSettings, new Pacer(limits));
    return {
      outbound: dynamicsAdapter(api, limits),
      inbound: {
        ...dataverseWebhooks({ key: settings.DYNAMICS_WEBHOOK_KEY, orgUrl: settings.DYNAMICS_ORG_URL, applicationUserId: settings.DYNAMICS_APPLICATION_USER_ID }),
        ...recordReader(api),
      },
    };
  },
});
