// Builds one Connect app the way Connect does (inside the app's folder):
// bundles src/index.ts and the connector scripts with the shared core inlined
// (Connect's common-module convention: core is a sibling folder, referenced
// with `file:../core`), and leaves npm packages external, installed by
// `npm install` in the app folder.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// esbuild is the app's devDependency: resolve it from the app folder, not from core.
const { build } = createRequire(join(process.cwd(), "package.json"))("esbuild");

const entryPoints = ["src/index.ts", "src/connector/post-deploy.ts", "src/connector/pre-undeploy.ts"].filter((f) =>
  existsSync(f),
);

const inlineCore = {
  name: "inline-core",
  setup(pluginBuild) {
    // Bare imports are packages (external) except our own core, which is source.
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@ct-crm-sync/") ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints,
  outdir: "dist",
  outbase: "src",
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  sourcemap: true,
  plugins: [inlineCore],
  logLevel: "info",
});
