import { z } from "zod";
import { httpUrl, nonEmptyString } from "../../config/env";
import { baseMappingConfig } from "../../domain/mapping-config";
import type { CrmLimits } from "../../ports/crm-outbound";
import { defineConnector } from "../kit/define-connector";
import { closeAdapter } from "./adapter";
import { closeTransport } from "./connection";
import { closeInbound } from "./inbound";
import { customValueKey, previewBody } from "./mapping";
import { schemaSource } from "./schema-setup";

/**
 * Close has no bulk create or update: one request per record written. Limits
 * are per endpoint group and per key (the org gets 3×), so a connection paces
 * its requests to `requestsPerSecond`, well below the published figures. A
 * call carries up to `maxBatchSize` people, found with one search.
 */
export const closeLimits: CrmLimits = { maxBatchSize: 100, requestsPerSecond: 20, maxConcurrency: 3 };

export const connector = defineConnector({
  name: "close",
  label: "Close",
  settings: {
    CLOSE_API_URL: { schema: httpUrl.default("https://api.close.com/api/v1"), description: "Close API address (keep the default unless Close tells you otherwise)" },
    CLOSE_API_KEY: { schema: nonEmptyString, secured: true, description: "An API key of your Close organisation (Settings → Developer → API Keys)" },
    CLOSE_WEBHOOK_SIGNATURE_KEY: {
      schema: z.string().regex(/^([0-9a-fA-F]{2})+$/, "the hex signature_key Close returned").optional(),
      secured: true,
      description: "The signature_key Close answers when the webhook subscription is created (hex); without it every webhook from Close is refused",
    },
    CLOSE_REQUESTS_PER_SECOND: {
      schema: z.coerce.number().positive().default(closeLimits.requestsPerSecond),
      description: `Requests a second sent to Close (default ${closeLimits.requestsPerSecond}, well below Close's limits)`,
    },
  },
  limits: closeLimits,
  targetRule: { pattern: customValueKey.source, message: "must be a Close custom field key such as custom.cf_AbC123 (Settings → Custom Fields shows the ID)" },
  // Close has no consent field of its own: consent is mapped to custom fields once they exist in the org.
  defaultMapping: baseMappingConfig("close"),
  previewFields: previewBody,

  connect(settings, { logger }) {
    const limits = { ...closeLimits, requestsPerSecond: settings.CLOSE_REQUESTS_PER_SECOND };
    // One transport (and pacer) for the connection: both directions count against the same key's limits.
    const transport = closeTransport({ baseUrl: settings.CLOSE_API_URL, apiKey: settings.CLOSE_API_KEY, limits });
    return {
      outbound: closeAdapter({ transport, schema: schemaSource(transport), limits, logger }),
      inbound: closeInbound({ transport, signatureKey: settings.CLOSE_WEBHOOK_SIGNATURE_KEY }),
    };
  },
});
