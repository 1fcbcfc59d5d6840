import { z } from "zod";

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

/** Setting schemas shared by the apps' and the connectors' configuration. */
export const httpUrl = z.url({ protocol: /^https?$/ });
export const nonEmptyString = z.string().trim().min(1);

/** Injected by Connect from `inheritAs.apiClient` (the sandbox sets the same keys). */
export const commercetoolsEnv = z.object({
  CTP_PROJECT_KEY: nonEmptyString,
  CTP_CLIENT_ID: nonEmptyString,
  CTP_CLIENT_SECRET: nonEmptyString,
  CTP_AUTH_URL: httpUrl,
  CTP_API_URL: httpUrl,
  CTP_SCOPE: z.string().optional(),
});

export const runtimeEnv = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  LOG_LEVEL: z.enum(["error", "warn", "info", "debug"]).default("info"),
});

export type CommercetoolsEnv = z.infer<typeof commercetoolsEnv>;
export type RuntimeEnv = z.infer<typeof runtimeEnv>;
