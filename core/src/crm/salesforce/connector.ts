import { z } from "zod";
import { httpUrl, nonEmptyString } from "../../config/env";
import { baseMappingConfig } from "../../domain/mapping-config";
import type { CrmLimits } from "../../ports/crm-outbound";
import { defineConnector } from "../kit/define-connector";
import { Pacer } from "../kit/pacing";
import { salesforceAdapter } from "./adapter";
import { salesforceApi } from "./api";
import { sharedSecretHeader } from "../kit/shared-secret";
import { outboundMessages } from "./inbound/notifications";
import { recordReader } from "./inbound/records";
import { accountBody, contactBody, orderBody } from "./mapping";

/**
 * Salesforce: ~100k+ calls a day is the real limit (watched through
 * Sforce-Limit-Info); 25 long-running requests at once is the concurrency cap,
 * we stay well under it.
 */
export const salesforceLimits: CrmLimits = { maxBatchSize: 200, requestsPerSecond: 5, maxConcurrency: 10 };

export const connector = defineConnector({
  name: "salesforce",
  label: "Salesforce",
  settings: {
    SALESFORCE_LOGIN_URL: {
      schema: httpUrl,
      description: "Your Salesforce org's My Domain URL, such as https://example.my.salesforce.com (login.salesforce.com issues no client-credentials tokens)",
    },
    // Not a secret, but secured since the first release: moving it would change where existing deployments keep it.
    SALESFORCE_CLIENT_ID: {
      schema: nonEmptyString,
      secured: true,
      description: "Consumer key of the Salesforce connected app (client-credentials flow enabled, with a run-as integration user)",
    },
    SALESFORCE_CLIENT_SECRET: { schema: nonEmptyString, secured: true, description: "Consumer secret of the Salesforce connected app" },
    SALESFORCE_API_VERSION: { schema: z.string().regex(/^\d+\.\d$/).default("62.0"), description: "Salesforce REST API version, such as 62.0" },
    SALESFORCE_ORGANIZATION_ID: {
      schema: z.string().regex(/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/, "an org ID of 15 or 18 letters and digits").optional(),
      description: "Your Salesforce org's 18-character ID (Setup → Company Information); Outbound Messages from any other org are refused",
    },
    SALESFORCE_OUTBOUND_SECRET: {
      schema: nonEmptyString.optional(),
      secured: true,
      description: `A secret of your choosing for Salesforce Outbound Messages: add it to the endpoint URL as ?secret=… (or send it as the ${sharedSecretHeader} header); without it every Outbound Message is refused`,
    },
    SALESFORCE_REQUESTS_PER_SECOND: {
      schema: z.coerce.number().positive().default(salesforceLimits.requestsPerSecond),
      description: `Requests a second sent to Salesforce (default ${salesforceLimits.requestsPerSecond}, well below an org's limits)`,
    },
  },
  limits: salesforceLimits,
  targetRule: { pattern: "^[A-Za-z][A-Za-z0-9_]*$", message: "must be a Salesforce field API name such as Email or Loyalty_Tier__c" },
  defaultMapping: { ...baseMappingConfig("salesforce"), consent: { email: { target: "HasOptedOutOfEmail", invert: true } } },
  previewFields: (record) => (record.kind === "person" ? contactBody(record) : record.kind === "company" ? accountBody(record) : orderBody(record)),

  connect(settings, { logger, clock }) {
    const limits = { ...salesforceLimits, requestsPerSecond: settings.SALESFORCE_REQUESTS_PER_SECOND };
    const apiSettings = {
      loginUrl: settings.SALESFORCE_LOGIN_URL,
      clientId: settings.SALESFORCE_CLIENT_ID,
      clientSecret: settings.SALESFORCE_CLIENT_SECRET,
      apiVersion: settings.SALESFORCE_API_VERSION,
    };
    // One pacer for the connection: both directions' requests count against the same org limits.
    const api = salesforceApi(apiSettings, new Pacer(limits), logger);
    return {
      outbound: salesforceAdapter(api, limits, clock),
      inbound: {
        ...outboundMessages({ secret: settings.SALESFORCE_OUTBOUND_SECRET, organizationId: settings.SALESFORCE_ORGANIZATION_ID }),
        ...recordReader(api),
      },
    };
  },
});
