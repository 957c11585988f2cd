#!/usr/bin/env node
// `npm run bench`: every benchmark, each printing its figures and its ratio against a reference measured
// in the same run. Pass folder names to run some: `npm run bench -- daemon data`.
import { spawnSync } from "node:child_process";

const BENCHES = [
  ["daemon", "npx", ["tsx", "bench/daemon/ingest-batching.ts"]],
  ["daemon", "npx", ["tsx", "bench/daemon/ingest-subscribers.ts"]],
  ["daemon", "npx", ["tsx", "bench/daemon/live-latency.ts"]],
  ["daemon", "npx", ["tsx", "bench/daemon/scheduler-gaps.ts"]],
  ["web", "npx", ["tsx", "bench/web/chart-read.ts"]],
  ["sweeps", "npx", ["tsx", "bench/sweeps/tpe-asha-vs-random.ts"]],
  ["predict", "npx", ["tsx", "bench/predict/predict-latency.ts"]],
  ["data", "npx", ["tsx", "bench/data/import-preview.ts"]],
  ["data", "npx", ["tsx", "bench/data/cache-build.ts"]],
  ["trainer", "npx", ["tsx", "scripts/run-python.ts", "bench/trainer/train_speed.py", "--repeats", "3"]],
  ["trainer", "npx", ["tsx", "scripts/run-python.ts", "bench/trainer/detection_train_speed.py", "--repeats", "3"]],
  ["trainer", "npx", ["tsx", "scripts/run-python.ts", "bench/trainer/detection_eval_speed.py"]],
  ["trainer", "npx", ["tsx", "scripts/run-python.ts", "bench/trainer/risk_metrics_speed.py"]],
];

const only = process.argv.slice(2);
for (const [group, cmd, args] of BENCHES) {
  if (only.length && !only.includes(group)) continue;
  console.log(`\n=== ${args.slice(1).join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
