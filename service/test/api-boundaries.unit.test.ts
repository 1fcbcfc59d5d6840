import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => path.join(root, folder, file));
}

/** The module specifiers a file imports or re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/g)].map((match) => match[1]!);
}

describe("the service API's boundaries", () => {
  it("nothing in the service or the MC app imports a CRM's folder: they know the CRM through its connector", () => {
    const files = [...sourceFiles("service/src"), ...sourceFiles("mc-app/src")];
    expect(files.length).toBeGreaterThan(20);
    const offending = files.flatMap((file) => importsOf(file).filter((spec) => /(^@ct-crm-sync\/core\/crm|core\/src\/crm)(\/|$)/.test(spec)).map((spec) => `${path.relative(root, file)}: ${spec}`));
    expect(offending).toEqual([]);
  });

  it("the contract and everything it imports is browser-safe: zod and core/src/domain only, no node modules", () => {
    const allowed = [path.join(root, "core/src/api"), path.join(root, "core/src/domain")];
    const seen = new Set<string>();
    const pending = sourceFiles("core/src/api").filter((file) => !file.endsWith(".test.ts"));
    const problems: string[] = [];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec === "zod") continue;
        if (!spec.startsWith(".")) {
          problems.push(`${path.relative(root, file)}: ${spec}`);
          continue;
        }
        const target = `${path.resolve(path.dirname(file), spec)}.ts`;
        if (allowed.some((folder) => target.startsWith(`${folder}/`))) pending.push(target);
        else problems.push(`${path.relative(root, file)}: ${spec}`);
      }
    }
    expect(seen.size).toBeGreaterThan(6);
    expect(problems).toEqual([]);
  });
});
