import { useCallback, useEffect, useRef, useState } from 'react';
import type { z } from 'zod';
import { useApplicationContext } from '@commercetools-frontend/application-shell-connectors';
import { callService, type HttpMethod } from './client';

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

/** GETs `path` from the service (re-fetching when it changes) and parses the answer with `schema`. */
export function useServiceQuery<S extends z.ZodType>(path: string | null, schema: S): QueryState<z.infer<S>> {
  const serviceUrl = useServiceUrl();
  const [data, setData] = useState<z.infer<S> | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const latest = useRef(0);

  const run = useCallback(async () => {
    if (path === null) return;
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const answer = await callService(serviceUrl, path, schema);
      if (ticket === latest.current) {
        setData(answer);
        setError(undefined);
      }
    } catch (caught) {
      if (ticket === latest.current) setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [serviceUrl, path, schema]);

  useEffect(() => {
    void run();
  }, [run]);

  return { data, error, loading, refetch: run };
}

/** A function calling the service with a body (replay, dismiss, save...). */
export function useServiceCall() {
  const serviceUrl = useServiceUrl();
  return useCallback(
    <S extends z.ZodType>(method: HttpMethod, path: string, schema: S, body?: unknown) =>
      callService(serviceUrl, path, schema, { method, body }),
    [serviceUrl]
  );
}
