#!/usr/bin/env node
// `npm test`: every suite in order — types, TypeScript unit + daemon integration (vitest), the trainer
// (pytest), and the browser end-to-end suite (Playwright in Chromium). Stops at the first failure.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const steps = [
  ["typecheck", "npx", ["tsc", "-p", "tsconfig.json"]],
  ["typecheck web", "npx", ["tsc", "-p", "apps/web/tsconfig.json", "--noEmit"]],
  ["unit + integration (vitest)", "npx", ["vitest", "run"]],
  ["trainer (pytest)", "npx", ["tsx", "scripts/run-pytest.ts"]],
];
if (!existsSync("apps/web/.next/BUILD_ID")) steps.push(["build dashboard", "npm", ["run", "build"]]);
steps.push(["end to end (playwright)", "npx", ["playwright", "test"]]);

const only = process.argv.slice(2);
const timings = [];
for (const [name, cmd, args] of steps) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  console.log(`\n=== ${name}: ${cmd} ${args.join(" ")}`);
  const t0 = Date.now();
  const res = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  timings.push(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (res.status !== 0) {
    console.error(`\n${name} failed (exit ${res.status ?? res.signal})`);
    process.exit(1);
  }
}
console.log(`\nall suites passed\n  ${timings.join("\n  ")}`);
