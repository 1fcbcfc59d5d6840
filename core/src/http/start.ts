import type { Express } from "express";
import { ConfigError } from "../config/env";
import type { RetryPolicy } from "../reliability/retry";
import { createRuntime, type Runtime } from "../runtime";

/**
 * Starts an app the way Connect runs it: validate configuration (stop with
 * the names of missing or malformed keys), build the runtime, listen on PORT.
 */
export function startApp(options: { name: string; retry: RetryPolicy; create(runtime: Runtime): Express }) {
  let runtime: Runtime;
  let app: Express;
  try {
    runtime = createRuntime({ app: options.name, retry: options.retry });
    app = options.create(runtime);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${options.name}: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const host = process.env.HOST ?? "0.0.0.0";
  const server = app.listen(runtime.config.port, host, () => {
    runtime.logger.info(`${options.name} app listening`, { port: runtime.config.port, host });
  });
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return server;
}
