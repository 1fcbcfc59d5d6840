import type { z } from 'zod';
import {
  buildApiUrl,
  executeHttpClientRequest,
  type THttpClientFetcherResponse,
  type THttpClientOptions,
} from '@commercetools-frontend/application-shell';
import { errorAnswerSchema } from './schemas';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** An error answer of the service (or of the MC proxy in front of it). */
export class ServiceError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ServiceError';
    this.status = status;
  }
}

/**
 * Calls our service app through the Merchant Center's `/proxy/forward-to`,
 * the documented application-shell way (`executeHttpClientRequest` with a
 * `forwardToConfig`): the MC API swaps the user's session for a short-lived
 * JWT carrying the project key and, with `includeUserPermissions`, the user's
 * permissions, which the service checks.
 */
export async function callService<S extends z.ZodType>(
  serviceUrl: string,
  path: string,
  schema: S,
  options: { method?: HttpMethod; body?: unknown } = {}
): Promise<z.infer<S>> {
  const method = options.method ?? 'GET';
  const uri = `${serviceUrl.replace(/\/$/, '')}${path}`;
  const data = await executeHttpClientRequest<unknown>(
    async (requestOptions: THttpClientOptions): Promise<THttpClientFetcherResponse<unknown>> => {
      const hasBody = options.body !== undefined;
      const response = await fetch(buildApiUrl('/proxy/forward-to'), {
        method,
        credentials: requestOptions.credentials,
        headers: {
          ...requestOptions.headers,
          ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
        },
        body: hasBody ? JSON.stringify(options.body) : undefined,
      });
      const text = await response.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      if (response.status >= 400 && response.status !== 401) {
        const error = errorAnswerSchema.safeParse(parsed);
        throw new ServiceError(
          response.status,
          error.success ? error.data.error : `The service answered ${response.status}`
        );
      }
      return {
        data: parsed,
        statusCode: response.status,
        getHeader: (name: string) => response.headers.get(name),
      };
    },
    { forwardToConfig: { uri, includeUserPermissions: true } }
  );
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new ServiceError(502, `Unexpected answer from ${method} ${path}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  return result.data;
}
