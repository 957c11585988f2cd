#!/usr/bin/env node
// Every benchmark in bench/, each printing its own figures and its ratio against a reference.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

for (const f of readdirSync(new URL(".", import.meta.url)).filter((f) => f.endsWith(".ts")).sort()) {
  console.log(`\n=== bench/${f}`);
  const r = spawnSync("npx", ["tsx", `bench/${f}`], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
