import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

/**
 * The MC stand-in borrows `graphql` from mc-app's own install (mc-app is a separate npm project, see mc-app/package.json),
 * so the root workspace's lockfile does not carry the MC app's heavy tree.
 * Run `npm install --prefix mc-app` (or `cd mc-app && npm install`) first.
 */
export const mcAppDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../mc-app");
const requireFromMcApp = createRequire(path.join(mcAppDir, "package.json"));

export function loadFromMcApp<T>(name: string): T {
  try {
    return requireFromMcApp(name) as T;
  } catch (error) {
    throw new Error(`Cannot load "${name}" from mc-app/node_modules: run "npm install" inside mc-app first`, { cause: error });
  }
}
