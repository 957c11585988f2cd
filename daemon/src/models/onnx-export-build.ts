// Builds a checkpoint's ONNX export with the trainer's own `export` command (python -m trainyard_trainer export),
// which also checks it against PyTorch and writes the sidecar `<out>.json`. One build per output file at a time:
// concurrent callers wait for the same one. An export older than its checkpoint (a resumed run's new best) is
// built again.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import type { Daemon } from "../daemon.ts";
import { TRAINER_PATH } from "../python.ts";
import { PredictionError, type ExportSidecar } from "./prediction-target.ts";

const building = new Map<string, Promise<ExportSidecar>>();

/** The sidecar of an export that is there and was made from this checkpoint file since it last changed; else null. */
export function currentExport(checkpointFile: string, onnxPath: string): ExportSidecar | null {
  const sidecarPath = `${onnxPath}.json`;
  if (!existsSync(onnxPath) || !existsSync(sidecarPath)) return null;
  try {
    const sidecar = JSON.parse(readFileSync(sidecarPath, "utf8")) as ExportSidecar;
    if (realpathSync(sidecar.checkpoint) !== realpathSync(checkpointFile)) return null;
    if (statSync(onnxPath).mtimeMs < statSync(checkpointFile).mtimeMs) return null;
    return sidecar;
  } catch {
    return null;
  }
}

export function ensureCheckpointOnnx(daemon: Daemon, checkpointFile: string, onnxPath: string): Promise<ExportSidecar> {
  const ready = currentExport(checkpointFile, onnxPath);
  if (ready) return Promise.resolve(ready);
  let job = building.get(onnxPath);
  if (!job) {
    job = buildExport(daemon, checkpointFile, onnxPath).finally(() => building.delete(onnxPath));
    building.set(onnxPath, job);
  }
  return job;
}

async function buildExport(daemon: Daemon, checkpointFile: string, onnxPath: string): Promise<ExportSidecar> {
  const py = await daemon.pythonInfo();
  if (!py.ok) throw new PredictionError(`cannot build the ONNX export of ${checkpointFile}: ${py.message}`, 503);
  await new Promise<void>((resolve, reject) => {
    execFile(
      py.path,
      ["-m", "trainyard_trainer", "export", "--checkpoint", checkpointFile, "--format", "onnx", "-o", onnxPath],
      { env: { ...process.env, PYTHONPATH: TRAINER_PATH }, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const tail = (stderr || err.message).trim().split("\n").slice(-3).join("\n");
        reject(new PredictionError(`the ONNX export of ${checkpointFile} failed (python -m trainyard_trainer export): ${tail}`, 500));
      },
    );
  });
  const sidecar = currentExport(checkpointFile, onnxPath);
  if (!sidecar) throw new PredictionError(`the trainer's export of ${checkpointFile} wrote no usable ${onnxPath}(.json)`, 500);
  return sidecar;
}
