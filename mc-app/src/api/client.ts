import type { z } from 'zod';
import {
  buildApiUrl,
  executeHttpClientRequest,
  type THttpClientFetcherResponse,
  type THttpClientOptions,
} from '@commercetools-frontend/application-shell';
import { actorNameHeader, errorAnswerSchema, routePath, type ApiRoute, type RouteAnswer, type RouteRequest } from '../../../core/src/api/contract';

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
 * Sends one request to our service app through the Merchant Center's
 * `/proxy/forward-to`, the documented application-shell way
 * (`executeHttpClientRequest` with a `forwardToConfig`): the MC API swaps the
 * user's session for a short-lived JWT carrying the project key and, with
 * `includeUserPermissions`, the user's permissions, which the service checks.
 * The answer is parsed with the contract's schema for it.
 */
export async function sendToService<S extends z.ZodType>(
  serviceUrl: string,
  request: { method: ApiRoute['method']; path: string; body?: unknown; answer: S; actorName?: string }
): Promise<z.output<S>> {
  const { method, path, answer, actorName } = request;
  const uri = `${serviceUrl.replace(/\/$/, '')}${path}`;
  const data = await executeHttpClientRequest<unknown>(
    async (requestOptions: THttpClientOptions): Promise<THttpClientFetcherResponse<unknown>> => {
      const hasBody = request.body !== undefined;
      const response = await fetch(buildApiUrl('/proxy/forward-to'), {
        method,
        credentials: requestOptions.credentials,
        headers: {
          ...requestOptions.headers,
          ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
        },
        body: hasBody ? JSON.stringify(request.body) : undefined,
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
    {
      forwardToConfig: {
        uri,
        includeUserPermissions: true,
        // Who the user is to people (the session proves only their ID): recorded with changes.
        ...(actorName ? { headers: { [actorNameHeader]: encodeURIComponent(actorName) } } : {}),
      },
    }
  );
  const result = answer.safeParse(data);
  if (!result.success) {
    throw new ServiceError(502, `Unexpected answer from ${method} ${path}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  return result.data;
}

/**
 * Calls one route of the contract (core/src/api/contract.ts): its method, its
 * path, its answer schema; changes carry the name the user is shown by.
 */
export function callService<R extends ApiRoute>(
  serviceUrl: string,
  route: R,
  request: RouteRequest<R>,
  actorName?: string
): Promise<RouteAnswer<R>> {
  return sendToService<R['answer']>(serviceUrl, {
    method: route.method,
    path: routePath(route, request),
    body: request.body,
    answer: route.answer,
    ...(route.method !== 'GET' && actorName ? { actorName } : {}),
  });
}
