import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { mcAppDir } from "./mc-deps";
import { startMcStandIn, type McStandIn } from "./mc-api-stand-in";
import type { McPermissions } from "./mc-graphql";

/**
 * Serves the built MC custom application (mc-app/public) on 127.0.0.1 next to
 * the Merchant Center API stand-in, the way a developer runs it against a local
 * MC API: `mc-scripts build` once, then `compile-html` with the local
 * transformer and the stand-in's URL baked into index.html.
 */
export type McAppStackOptions = {
  /** The service app (its base URL; the app calls `${serviceUrl}/api/...` through the stand-in). */
  serviceUrl: string;
  /** The commercetools API (emulator) for `/proxy/ctp`. */
  ctpApiUrl?: string;
  projectKey: string;
  /** 3001 for `npm start`; 0 (any free port) in tests. */
  appPort?: number;
  mcApiPort?: number;
  permissions?: McPermissions;
  /** An MC API stand-in started beforehand (the service must know its URL as issuer first); one is started otherwise. */
  mcApi?: McStandIn;
  /** Run `mc-scripts build` when mc-app/public has no build yet (default true). */
  buildIfMissing?: boolean;
};

export type McAppStack = {
  appUrl: string;
  /** Where a browser starts: the app's entry point in the project. */
  entryUrl: string;
  mcApi: McStandIn;
  close(): Promise<void>;
};

const publicDir = path.join(mcAppDir, "public");
const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

function runMcAppScript(task: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(mcAppDir, "scripts/with-env.mjs"), task], {
      cwd: mcAppDir,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`mc-app ${task} failed (${code}):\n${output.slice(-4000)}`))));
  });
}

/** Whether mc-app/public holds a build (`compile-html` needs the template a build leaves). */
export function mcAppIsBuilt(): boolean {
  return existsSync(path.join(publicDir, "index.html.template"));
}

export async function buildMcApp(): Promise<void> {
  await runMcAppScript("build", {});
}

function serveStatic(port: number): Promise<Server> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      let file = path.join(publicDir, path.normalize(urlPath));
      if (!file.startsWith(publicDir)) {
        res.writeHead(403).end();
        return;
      }
      const isFile = await stat(file).then((s) => s.isFile(), () => false);
      // Single-page app: any path that is not an asset gets index.html.
      if (!isFile) file = path.join(publicDir, "index.html");
      let body: Buffer | string = await readFile(file);
      if (path.basename(file) === "index.html") {
        // In development mode compile-html points the asset URLs (the "CDN") at
        // http://localhost:3001; serve them from wherever this server listens.
        const own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        body = body
          .toString("utf8")
          .replaceAll("http://localhost:3001", own)
          .replaceAll("http:\\u002F\\u002Flocalhost:3001", own.replaceAll("/", "\\u002F"));
      }
      res.writeHead(200, {
        "Content-Type": contentTypes[path.extname(file)] ?? "application/octet-stream",
        "Cache-Control": "no-store",
      });
      res.end(body);
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  server.keepAliveTimeout = 1000;
  // A taken port rejects (EADDRINUSE, with its port) instead of an unhandled error event.
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

export async function startMcAppStack(options: McAppStackOptions): Promise<McAppStack> {
  if (!mcAppIsBuilt()) {
    if (options.buildIfMissing === false) throw new Error("mc-app is not built: run `npm run build` in mc-app");
    await buildMcApp();
  }
  const ownsMcApi = !options.mcApi;
  const mcApi = options.mcApi ?? await startMcStandIn({
    projectKey: options.projectKey,
    ctpApiUrl: options.ctpApiUrl,
    permissions: options.permissions,
    port: options.mcApiPort,
  });
  const server = await serveStatic(options.appPort ?? 0);
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mcApi.setAppUrl(appUrl);
  if (options.ctpApiUrl) mcApi.setCtpApiUrl(options.ctpApiUrl);
  try {
    await runMcAppScript("compile-html:local", {
      MC_API_URL: mcApi.url,
      SERVICE_URL: options.serviceUrl,
      INITIAL_PROJECT_KEY: options.projectKey,
      APPLICATION_URL: appUrl,
    });
  } catch (error) {
    server.closeAllConnections();
    server.close();
    if (ownsMcApi) await mcApi.close();
    throw error;
  }
  return {
    appUrl,
    entryUrl: `${appUrl}/${options.projectKey}/crm-sync`,
    mcApi,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownsMcApi) await mcApi.close();
    },
  };
}
