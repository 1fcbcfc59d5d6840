import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['./vitest.setup.ts'],
    // Component tests render the whole UI kit in jsdom; on a shared machine a page of 20 rows takes seconds.
    testTimeout: 60_000,
    // Keep @commercetools-* external (not inlined): inlining breaks DataTable's export.
  },
});
