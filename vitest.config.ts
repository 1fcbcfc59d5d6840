import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{core,event,service,job,test}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", "test/bench/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { LOG_SILENT: "true" },
  },
});
