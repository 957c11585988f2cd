// Runs the trainer's own export command (python -m trainyard_trainer export: ONNX or TorchScript, checked
// against PyTorch, with its sidecar `<out>.json`) for a checkpoint file, on the CPU (the GPUs belong to the
// scheduler's runs). One build per output file at a time: concurrent callers share it. The registry's
// exports (models/model-exports.ts) and prediction's run-checkpoint exports (models/onnx-export-build.ts) both
// build through here.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Daemon } from "../daemon.ts";
import { TRAINER_PATH } from "../python.ts";

export type TrainerExportFormat = "onnx" | "torchscript";

/** The export failed: `message` is "(exit N): " and the trainer's last lines, or why the interpreter cannot run. */
export class TrainerExportError extends Error {
  constructor(
    message: string,
    /** Whether the interpreter itself is unusable (no torch), rather than this export failing. */
    readonly noPython = false,
  ) {
    super(message);
  }
}

const builds = new Map<string, Promise<void>>();

export function buildTrainerExport(daemon: Daemon, checkpoint: string, format: TrainerExportFormat, out: string): Promise<void> {
  let job = builds.get(out);
  if (!job) {
    job = runExport(daemon, checkpoint, format, out).finally(() => builds.delete(out));
    builds.set(out, job);
  }
  return job;
}

async function runExport(daemon: Daemon, checkpoint: string, format: TrainerExportFormat, out: string): Promise<void> {
  const python = await daemon.pythonInfo();
  if (!python.ok) throw new TrainerExportError(python.message, true);
  mkdirSync(dirname(out), { recursive: true });
  const args = ["-m", "trainyard_trainer", "export", "--checkpoint", checkpoint, "--format", format, "-o", out];
  const env = { ...process.env, PYTHONPATH: TRAINER_PATH, CUDA_VISIBLE_DEVICES: "" };
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(python.path, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    child.on("error", (e) => resolve({ code: 127, stderr: `cannot start ${python.path}: ${e.message}` }));
    child.on("close", (c) => resolve({ code: c, stderr: err }));
  });
  if (code !== 0) throw new TrainerExportError(`(exit ${code}): ${stderr.trim().split("\n").slice(-6).join("\n") || "no output"}`);
}
