// Scheduler: 50 short runs (fake trainer, ~0.2 s of work each) queued at once on 2 CPU slots; per slot,
// the idle time between one run ending and the next starting, against the runs' own busy time.
//   npx tsx bench/daemon/scheduler-gaps.ts [runs] [slots]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FAKE_TRAINER_ENV, REPO, startDaemon } from "../../daemon/test/daemon-process.ts";

const RUNS = Number(process.argv[2] ?? 50);
const SLOTS = Number(process.argv[3] ?? 2);
const d = await startDaemon({ env: FAKE_TRAINER_ENV, args: ["--cpu-slots", String(SLOTS)] });
try {
  if ((await d.cli(["demo"])).code !== 0) throw new Error("demo import failed");
  const yaml = readFileSync(join(REPO, "configs/demo.yaml"), "utf8");
  const ids: string[] = [];
  const t0 = Date.now();
  for (let i = 0; i < RUNS; i++) ids.push((await d.client.runs.submit.mutate({ yaml, overrides: ['tags=["steps=10","interval=20"]'] })).id);
  let runs = await d.client.runs.list.query({ limit: 5000 });
  while (runs.filter((r) => ids.includes(r.id)).some((r) => r.status !== "completed")) {
    await new Promise((r) => setTimeout(r, 500));
    runs = await d.client.runs.list.query({ limit: 5000 });
    if (Date.now() - t0 > 600_000) throw new Error("runs did not finish in 10 minutes");
  }
  const mine = runs.filter((r) => ids.includes(r.id));
  const gaps: number[] = [];
  let busy = 0;
  for (let s = 0; s < SLOTS; s++) {
    const onSlot = mine.filter((r) => r.slots[0] === `cpu:${s}`).sort((a, b) => a.startedAt! - b.startedAt!);
    for (let i = 1; i < onSlot.length; i++) gaps.push(onSlot[i].startedAt! - onSlot[i - 1].endedAt!);
    for (const r of onSlot) busy += r.endedAt! - r.startedAt!;
  }
  gaps.sort((a, b) => a - b);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const meanRun = busy / mine.length;
  console.log(`${RUNS} runs on ${SLOTS} slots: wall ${((Math.max(...mine.map((r) => r.endedAt!)) - Math.min(...mine.map((r) => r.startedAt!))) / 1000).toFixed(1)} s, mean run (slot held, incl. preparing the run dir + trainer start) ${meanRun.toFixed(0)} ms`);
  console.log(`idle gap between runs on a slot: mean ${mean.toFixed(1)} ms, p95 ${gaps[Math.floor(gaps.length * 0.95)]} ms, max ${gaps.at(-1)} ms (target < 1000 ms: ${gaps.at(-1)! < 1000 ? "met" : "NOT met"})`);
  console.log(`slot utilisation: ${((busy / (busy + gaps.reduce((a, b) => a + b, 0))) * 100).toFixed(1)}%; gap / mean run: ${(mean / meanRun).toFixed(3)}`);
} finally {
  await d.stop();
}
process.exit(0);
