import { z } from "zod";
import { httpUrl, nonEmptyString } from "../../config/env";
import { baseMappingConfig } from "../../domain/mapping-config";
import type { CrmLimits } from "../../ports/crm-outbound";
import { defineConnector } from "../kit/define-connector";
import { freshsalesAdapter } from "./adapter";
import { freshsalesApi } from "./connection";
import { freshsalesInbound, secretHeader } from "./inbound";
import { previewBody, targetPattern } from "./mapping";
import { accountSetup } from "./setup";

/**
 * Freshsales counts calls per account: 1,000, 2,000 or 5,000 an hour by
 * plan, and at most 400 a minute. A connection sends 6 a second at most
 * (360 a minute), within an hourly allowance (below); a bulk_upsert request
 * carries up to 100 records.
 */
export const freshsalesLimits: CrmLimits = { maxBatchSize: 100, requestsPerSecond: 6, maxConcurrency: 4 };
/** The smallest plan's hour, unless the merchant says otherwise. */
export const defaultHourlyBudget = 1_000;
export const defaultReservePercent = 20;
/** A call waits this long for its turn in the hourly allowance at most (a job's patience; a push gives up at its own deadline first). */
const longestAllowanceWaitMs = 15 * 60_000;

/**
 * The API's base: given as Freshsales shows it (`https://acme.myfreshworks.com/crm/sales/api`,
 * `https://acme.freshsales.io/api`) or as the bare account address, which gets the path its form uses.
 */
export const apiUrl = httpUrl.transform((value, ctx) => {
  const url = new URL(value);
  const path = url.pathname.replace(/\/+$/, "");
  if (path === "") return `${url.origin}${url.hostname.endsWith(".freshsales.io") ? "/api" : "/crm/sales/api"}`;
  if (path.endsWith("/crm/sales/api") || path.endsWith("/api")) return `${url.origin}${path}`;
  ctx.addIssue({ code: "custom", message: "must be the Freshsales API address, ending in /crm/sales/api (or /api on a freshsales.io domain)" });
  return z.NEVER;
});

export const connector = defineConnector({
  name: "freshsales",
  label: "Freshsales",
  settings: {
    FRESHSALES_API_URL: {
      schema: apiUrl,
      description: "Your Freshsales API address: https://<your bundle>.myfreshworks.com/crm/sales/api (or https://<your domain>.freshsales.io/api on older accounts)",
    },
    FRESHSALES_API_KEY: { schema: nonEmptyString, secured: true, description: "The API key of the Freshsales user ct-crm-sync acts as (Profile settings → API settings)" },
    FRESHSALES_HOURLY_BUDGET: {
      schema: z.coerce.number().int().min(100).default(defaultHourlyBudget),
      description: `API calls an hour your Freshsales plan allows (1000, 2000 or 5000; default ${defaultHourlyBudget})`,
    },
    FRESHSALES_BUDGET_RESERVE_PERCENT: {
      schema: z.coerce.number().int().min(0).max(90).default(defaultReservePercent),
      description: `Share of the hourly budget, in percent, left to your other Freshsales integrations (default ${defaultReservePercent})`,
    },
    FRESHSALES_WEBHOOK_SECRET: {
      schema: z.string().min(16, "at least 16 characters").optional(),
      secured: true,
      description: `A secret of your choosing, at least 16 characters, that Freshsales workflows send in the ${secretHeader} header; without it every Freshsales webhook is refused`,
    },
    FRESHSALES_API_USER_ID: {
      schema: z.string().regex(/^\d+$/, "the user's number").optional(),
      description: "The Freshsales ID of the user whose API key ct-crm-sync uses (Admin settings → Users, the number in the user's page address): changes that user made are ct-crm-sync's own writes coming back, dropped without reading them",
    },
    FRESHSALES_REQUESTS_PER_SECOND: {
      schema: z.coerce.number().positive().default(freshsalesLimits.requestsPerSecond),
      description: `Requests a second sent to Freshsales (default ${freshsalesLimits.requestsPerSecond}, below its 400 a minute)`,
    },
  },
  limits: freshsalesLimits,
  targetRule: { pattern: targetPattern, message: "must be a Freshsales field's API name such as job_title or cf_loyalty_tier (Admin settings → Module customization shows it)" },
  // Freshsales' subscription fields take words, not the flag a consent mapping writes: the adapter writes them itself.
  defaultMapping: baseMappingConfig("freshsales"),
  previewFields: previewBody,

  connect(settings, { clock }) {
    const limits = { ...freshsalesLimits, requestsPerSecond: settings.FRESHSALES_REQUESTS_PER_SECOND };
    const calls = Math.floor((settings.FRESHSALES_HOURLY_BUDGET * (100 - settings.FRESHSALES_BUDGET_RESERVE_PERCENT)) / 100);
    // One API (transport, pacer, allowance) for the connection: both directions spend the same account's budget.
    const api = freshsalesApi({
      baseUrl: settings.FRESHSALES_API_URL,
      apiKey: settings.FRESHSALES_API_KEY,
      limits,
      allowance: { calls, windowSeconds: 3_600, maxWaitMs: longestAllowanceWaitMs },
    });
    const setup = accountSetup(api);
    return {
      outbound: freshsalesAdapter({ api, setup, limits, clock }),
      inbound: freshsalesInbound({ api, setup, secret: settings.FRESHSALES_WEBHOOK_SECRET, ownUserId: settings.FRESHSALES_API_USER_ID }),
    };
  },
});
