// `npm test`: every suite (backend vitest projects and the MC app's own
// tests), then one closing line "N passed, N failed" for CI to count.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";

mkdirSync("test-output", { recursive: true });
const suites = [{ name: "backend", cwd: ".", report: "test-output/vitest-backend.json" }];
if (existsSync("mc-app/package.json")) suites.push({ name: "mc-app", cwd: "mc-app", report: "../test-output/vitest-mc-app.json" });

let passed = 0;
let failed = 0;
let exitCode = 0;
for (const suite of suites) {
  console.log(`\n== ${suite.name} tests`);
  const run = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${suite.report}`, ...process.argv.slice(2)], {
    cwd: suite.cwd,
    stdio: "inherit",
  });
  if (run.status !== 0) exitCode = 1;
  const reportPath = suite.cwd === "." ? suite.report : `${suite.cwd}/${suite.report}`;
  if (!existsSync(reportPath)) {
    console.log(`${suite.name}: no report written`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that fails to load has no failed test but must still count.
  if (run.status !== 0 && report.numFailedTests === 0) failed += Math.max(1, report.numFailedTestSuites);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed > 0 ? 1 : 0));
