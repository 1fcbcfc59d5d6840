import { z } from "zod";
import { httpUrl, nonEmptyString } from "../../config/env";
import { baseMappingConfig } from "../../domain/mapping-config";
import type { CrmLimits } from "../../ports/crm-outbound";
import { defineConnector } from "../kit/define-connector";
import { Pacer } from "../kit/pacing";
import { sharedSecretHeader } from "../kit/shared-secret";
import { crmOneAdapter } from "./adapter";
import { crmOneTransport } from "./connection";
import { crmOneInbound } from "./inbound";
import { fieldNamePattern, previewData } from "./mapping";

/**
 * 1CRM documents no rate limit and no batch endpoint: one request per record
 * step, at a conservative pace of our own (the merchant raises it where
 * their hosting allows), two in flight. A call carries up to 50 records,
 * written one after another.
 */
export const crmOneLimits: CrmLimits = { maxBatchSize: 50, requestsPerSecond: 5, maxConcurrency: 2 };

/** Requests waiting for the pacer at most, in seconds of the connection's pace (a push's CRM work has 7 s). */
const queuedSeconds = 5;

const base = baseMappingConfig("crmone");

export const connector = defineConnector({
  name: "crmone",
  label: "CRM One",
  settings: {
    CRMONE_API_URL: { schema: httpUrl, description: "Your CRM One (1CRM) instance's REST API address, ending in /api.php, such as https://crm.example.com/api.php" },
    CRMONE_AUTH: {
      schema: z.enum(["oauth", "basic"]).default("oauth"),
      description: "oauth (an API client with the client-credentials grant, recommended) or basic (a 1CRM user's name and password; Basic must be enabled for the API)",
    },
    CRMONE_CLIENT_ID: { schema: nonEmptyString, description: "The API client's ID (Admin → API Clients); with CRMONE_AUTH=basic, the 1CRM user name" },
    CRMONE_CLIENT_SECRET: { schema: nonEmptyString, secured: true, description: "The API client's secret; with CRMONE_AUTH=basic, the 1CRM user's password" },
    CRMONE_WEBHOOK_SECRET: {
      schema: nonEmptyString.optional(),
      secured: true,
      description: `A secret of your choosing for 1CRM webhooks: add it to each subscription URL as ?secret=… (or send it as the ${sharedSecretHeader} header); without it every webhook is refused`,
    },
    CRMONE_USER_ID: {
      schema: nonEmptyString.optional(),
      description: "The ID of the 1CRM user the API client acts as (or the Basic user's): changes that user made are ct-crm-sync's own writes coming back, and webhooks and polling drop them",
    },
    CRMONE_REQUESTS_PER_SECOND: {
      schema: z.coerce.number().positive().default(crmOneLimits.requestsPerSecond),
      description: `Requests a second sent to CRM One (default ${crmOneLimits.requestsPerSecond}; 1CRM publishes no limit, raise it only as far as your instance's hosting allows)`,
    },
  },
  limits: crmOneLimits,
  targetRule: { pattern: fieldNamePattern, message: "must be a 1CRM field name such as lead_source or ct_loyalty_tier (lower case, as Module Designer names fields)" },
  // Consent lives in 1CRM's own fields (the adapter writes them, a newer event the CRM holds is kept) and campaigns
  // check it there: the CRM owns email consent, so a change made in the CRM reaches the customer.
  defaultMapping: {
    ...base,
    consent: { email: { target: "email_opt_out", invert: true, atTarget: "email_opt_in_date", owner: "crm" }, sms: { target: "do_not_call", invert: true } },
  },
  previewFields: previewData,

  connect(settings, { logger, clock }) {
    const limits = { ...crmOneLimits, requestsPerSecond: settings.CRMONE_REQUESTS_PER_SECOND };
    // One pacer for the connection: webhooks' re-reads and polling share the instance with the writes. At a
    // slow pace a long queue only makes waiting requests miss their callers' deadlines: it holds a few seconds' worth.
    const pacer = new Pacer({ ...limits, maxWaiting: Math.ceil(limits.requestsPerSecond * queuedSeconds) });
    const transport = crmOneTransport(
      { apiUrl: settings.CRMONE_API_URL, auth: settings.CRMONE_AUTH, clientId: settings.CRMONE_CLIENT_ID, clientSecret: settings.CRMONE_CLIENT_SECRET, limits },
      pacer,
    );
    return {
      outbound: crmOneAdapter({ transport, limits, logger, budget: () => ({ queueFull: pacer.full }) }),
      inbound: crmOneInbound({ transport, secret: settings.CRMONE_WEBHOOK_SECRET, ownUserId: settings.CRMONE_USER_ID, clock }),
    };
  },
});
