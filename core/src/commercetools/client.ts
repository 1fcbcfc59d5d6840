import { ClientBuilder } from "@commercetools/ts-client";
import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from "@commercetools/platform-sdk";
import type { CommercetoolsEnv } from "../config/env";
import { commercetoolsHttpClient } from "./http-client";

export type CommercetoolsApi = ByProjectKeyRequestBuilder;

/**
 * The commercetools API root. Network errors and 5xx are retried by the HTTP
 * middleware; 409s are not (no concurrent-modification middleware): callers
 * re-read and decide again, because a blind version bump would overwrite
 * someone else's write.
 */
export function createCommercetoolsApi(env: CommercetoolsEnv, options: { timeoutMs?: number } = {}): CommercetoolsApi {
  const httpClient = commercetoolsHttpClient;
  const client = new ClientBuilder()
    .withProjectKey(env.CTP_PROJECT_KEY)
    .withClientCredentialsFlow({
      host: env.CTP_AUTH_URL,
      projectKey: env.CTP_PROJECT_KEY,
      credentials: { clientId: env.CTP_CLIENT_ID, clientSecret: env.CTP_CLIENT_SECRET },
      scopes: env.CTP_SCOPE ? env.CTP_SCOPE.split(" ").filter(Boolean) : undefined,
      httpClient,
    })
    .withHttpMiddleware({
      host: env.CTP_API_URL,
      httpClient,
      timeout: options.timeoutMs ?? 5_000,
      enableRetry: true,
      retryConfig: {
        maxRetries: 3,
        retryDelay: 200,
        backoff: true,
        maxDelay: 2_000,
        retryCodes: [500, 502, 503, 504, "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET", "EPIPE"],
      },
    })
    .build();
  return createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: env.CTP_PROJECT_KEY });
}

type CtError = { statusCode?: number; status?: number; body?: { errors?: { code?: string; currentVersion?: number }[] } };

export function statusOf(error: unknown): number | undefined {
  const e = error as CtError;
  return e?.statusCode ?? e?.status;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

export function concurrentModificationVersion(error: unknown): number | undefined | false {
  if (statusOf(error) !== 409) return false;
  return (error as CtError).body?.errors?.find((e) => e.code === "ConcurrentModification")?.currentVersion;
}
