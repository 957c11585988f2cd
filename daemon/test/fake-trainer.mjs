#!/usr/bin/env node
// A stand-in trainer for daemon tests and benchmarks (TRAINYARD_TRAINER_CMD="node daemon/test/fake-trainer.mjs"):
// it speaks the event protocol without PyTorch. Behaviour comes from the run config's tags, key=value:
//   steps=N          metric lines to print (default 20)      interval=MS   pause between lines (default 20)
//   values=N         values per metric line (default 4)      ckpt_every=N  write checkpoint "last" every N steps
//   exit=crash|oom|kill|code3   how to end instead of completing
//   symlink_ckpt=1   also report a checkpoint whose folder is a symlink out of the run folder
//   echo_env=1       log CUDA_VISIBLE_DEVICES and the process id
//   best_at=N        write checkpoint "best" at step N
// A warm start (spec.init_from) is logged as "init_from <path>".
// SIGTERM: writes "last" at the current step, prints done{interrupted}, exits 0 (like the real trainer).
// Resume: spec.resume.checkpoint (a JSON file here) continues from the step stored in it.
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const specPath = process.argv[process.argv.indexOf("--spec") + 1];
const spec = JSON.parse(readFileSync(specPath, "utf8"));
const opts = Object.fromEntries((spec.config.tags ?? []).map((t) => t.split("=")));
const steps = Number(opts.steps ?? 20);
const interval = Number(opts.interval ?? 20);
const nValues = Number(opts.values ?? 4);
const ckptEvery = Number(opts.ckpt_every ?? 0);
const out = (o) => process.stdout.write(JSON.stringify({ time: Date.now() / 1000, ...o }) + "\n");

function saveCheckpoint(name, step) {
  const dir = join(spec.run_dir, "checkpoints", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "checkpoint.pt.tmp"), JSON.stringify({ step }));
  renameSync(join(dir, "checkpoint.pt.tmp"), join(dir, "checkpoint.pt"));
  out({ type: "checkpoint", name, epoch: 1, step, dir, monitor: null });
}
const saveLast = (step) => saveCheckpoint("last", step);

let step = spec.resume ? JSON.parse(readFileSync(spec.resume.checkpoint, "utf8")).step : 0;
if (spec.resume) out({ type: "log", level: "info", message: `resumed at step ${step}` });
if (spec.init_from) out({ type: "log", level: "info", message: `init_from ${spec.init_from.checkpoint}` });
if (opts.echo_env) out({ type: "log", level: "info", message: `CUDA_VISIBLE_DEVICES=${process.env.CUDA_VISIBLE_DEVICES} pid=${process.pid}` });
if (opts.symlink_ckpt) {
  const outside = mkdtempSync(join(tmpdir(), "outside-"));
  writeFileSync(join(outside, "checkpoint.pt"), "secret outside the home");
  mkdirSync(join(spec.run_dir, "checkpoints"), { recursive: true });
  symlinkSync(outside, join(spec.run_dir, "checkpoints", "evil"));
  out({ type: "checkpoint", name: "evil", epoch: 1, step: 0, dir: join(spec.run_dir, "checkpoints", "evil"), monitor: null });
}
out({ type: "status", state: "running", phase: "fake", epoch: 1, epochs: 1, step, steps });

let stopping = false;
process.on("SIGTERM", () => (stopping = true));

function finish() {
  if (opts.exit === "crash") {
    process.stderr.write('Traceback (most recent call last):\n  File "fake.py", line 1\nValueError: fake trainer crashed on purpose\n');
    process.exit(1);
  }
  if (opts.exit === "oom") {
    process.stderr.write("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n");
    process.exit(1);
  }
  if (opts.exit === "kill") process.kill(process.pid, "SIGKILL");
  if (opts.exit === "code3") process.exit(3);
  out({ type: "done", state: "completed", best: { name: "val/auc_macro", value: 0.5, epoch: 1 } });
  process.exit(0);
}

function tick() {
  if (stopping) {
    saveLast(step);
    out({ type: "done", state: "interrupted" });
    process.exit(0);
  }
  if (step >= steps) return finish();
  step += 1;
  const values = {};
  for (let i = 0; i < nValues; i++) values[`train/m${i}`] = Math.sin(step + i);
  out({ type: "metrics", step, epoch: 1, phase: "fake", values });
  if (ckptEvery && step % ckptEvery === 0) saveLast(step);
  if (Number(opts.best_at) === step) saveCheckpoint("best", step);
  setTimeout(tick, interval);
}
tick();
