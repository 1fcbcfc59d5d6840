import { defineConfig } from "vitest/config";

/** Tests may reach core's internals (connectors, stores); the apps see only core's entry points (core/package.json). */
// Vite's own server conditions follow ours (they are replaced, not extended, by this setting).
const conditions = ["ct-crm-sync-tests", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["{core,event,service,job,test}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "test/bench/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { LOG_SILENT: "true" },
  },
});
