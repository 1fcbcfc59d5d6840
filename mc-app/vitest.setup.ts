import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { server } from './src/test/msw-server';
import { testMcApiUrl } from './src/test/fake-service';

// What the shell's HTTP client reads from `window.app` (set by index.html in the real app).
Object.assign(window, {
  app: {
    applicationName: 'crm-sync',
    entryPointUriPath: 'crm-sync',
    mcApiUrl: testMcApiUrl,
    env: 'test',
    location: 'test',
    cdnUrl: 'http://cdn.test/',
    frontendHost: 'localhost',
    servedByProxy: false,
  },
});

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
});
afterAll(() => server.close());
