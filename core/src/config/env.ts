import { z } from "zod";
import { crmNames } from "../ports/crm-adapter";

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration: ${issues.join("; ")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses environment variables with a zod schema; a missing or malformed key
 * stops the app with a message naming the key (never its value: it may be a secret).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
  );
}

const url = z.url({ protocol: /^https?$/ });
const nonEmpty = z.string().trim().min(1);

/** Injected by Connect from `inheritAs.apiClient` (the sandbox sets the same keys). */
export const commercetoolsEnv = z.object({
  CTP_PROJECT_KEY: nonEmpty,
  CTP_CLIENT_ID: nonEmpty,
  CTP_CLIENT_SECRET: nonEmpty,
  CTP_AUTH_URL: url,
  CTP_API_URL: url,
  CTP_SCOPE: z.string().optional(),
});

export const crmEnv = z
  .object({
    CRM: z.enum(crmNames).default("salesforce"),
    CRM_CONNECTION_ID: z
      .string()
      .regex(/^[a-zA-Z0-9-]{1,40}$/, "letters, digits and dashes, at most 40")
      .default("default"),
    SALESFORCE_LOGIN_URL: url.optional(),
    SALESFORCE_CLIENT_ID: nonEmpty.optional(),
    SALESFORCE_CLIENT_SECRET: nonEmpty.optional(),
    SALESFORCE_API_VERSION: z.string().regex(/^\d+\.\d$/).default("62.0"),
    CLOSE_API_URL: url.default("https://api.close.com/api/v1"),
    CLOSE_API_KEY: nonEmpty.optional(),
  })
  .superRefine((env, ctx) => {
    // The CRMs this version has an adapter for, with the keys each needs.
    const required: Partial<Record<typeof env.CRM, (keyof typeof env)[]>> = {
      salesforce: ["SALESFORCE_LOGIN_URL", "SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET"],
      close: ["CLOSE_API_KEY"],
    };
    const keys = required[env.CRM];
    if (!keys) {
      ctx.addIssue({ code: "custom", path: ["CRM"], message: `no adapter for ${env.CRM} in this version (use ${Object.keys(required).join(" or ")})` });
      return;
    }
    for (const key of keys) {
      if (env[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: `required when CRM=${env.CRM}` });
    }
  });

export const runtimeEnv = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  LOG_LEVEL: z.enum(["error", "warn", "info", "debug"]).default("info"),
});

export type CommercetoolsEnv = z.infer<typeof commercetoolsEnv>;
export type CrmEnv = z.infer<typeof crmEnv>;
export type RuntimeEnv = z.infer<typeof runtimeEnv>;
