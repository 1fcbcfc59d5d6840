import { useCallback, useEffect, useRef, useState } from 'react';
import { useApplicationContext } from '@commercetools-frontend/application-shell-connectors';
import { routePath, type ApiRoute, type RouteAnswer, type RouteRequest } from '../../../core/src/api/contract';
import { callService, sendToService } from './client';

type EnvironmentWithService = { serviceUrl?: string };

/** The service app's URL, from `additionalEnv.serviceUrl` in custom-application-config.mjs. */
export function useServiceUrl(): string {
  const serviceUrl = useApplicationContext(
    (context) => (context.environment as EnvironmentWithService).serviceUrl
  );
  if (!serviceUrl) throw new Error('serviceUrl is missing from the application environment');
  return serviceUrl;
}

export type QueryState<T> = {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  refetch: () => Promise<void>;
};

/**
 * GETs a route of the contract (re-fetching when its params or query change)
 * and parses the answer with the route's schema; `null` waits.
 */
export function useServiceQuery<R extends ApiRoute & { method: 'GET' }>(
  route: R,
  request: RouteRequest<R> | null
): QueryState<RouteAnswer<R>> {
  const serviceUrl = useServiceUrl();
  // The path is the request's identity: a new object with the same params and query is the same request.
  const path = request === null ? null : routePath(route, request);
  const [data, setData] = useState<RouteAnswer<R> | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const latest = useRef(0);

  const run = useCallback(async () => {
    if (path === null) return;
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const answer = await sendToService<R['answer']>(serviceUrl, { method: route.method, path, answer: route.answer });
      if (ticket === latest.current) {
        setData(answer);
        setError(undefined);
      }
    } catch (caught) {
      if (ticket === latest.current) setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [serviceUrl, path, route]);

  useEffect(() => {
    void run();
  }, [run]);

  return { data, error, loading, refetch: run };
}

/** The logged-in user's name as the Merchant Center shows it (their email when the profile has no name). */
export function useActorName(): string | undefined {
  return useApplicationContext((context) => {
    const user = context.user;
    if (!user) return undefined;
    return [user.firstName, user.lastName].filter(Boolean).join(' ') || user.email || undefined;
  });
}

/** A function calling any route of the contract (replay, dismiss, save...); changes name the user who made them. */
export function useServiceCall() {
  const serviceUrl = useServiceUrl();
  const actorName = useActorName();
  return useCallback(
    <R extends ApiRoute>(route: R, request: RouteRequest<R>) => callService(serviceUrl, route, request, actorName),
    [serviceUrl, actorName]
  );
}
