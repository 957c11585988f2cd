// Builds a checkpoint's ONNX export with the trainer's own `export` command (python -m trainyard_trainer export),
// which also checks it against PyTorch and writes the sidecar `<out>.json` (exports/trainer-export.ts: one build
// per output file, shared by concurrent callers). An export older than its checkpoint (a resumed run's new best)
// is built again.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import type { Daemon } from "../daemon.ts";
import { buildTrainerExport, TrainerExportError } from "../exports/trainer-export.ts";
import { PredictionError, type ExportSidecar } from "./prediction-target.ts";

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

export async function ensureCheckpointOnnx(daemon: Daemon, checkpointFile: string, onnxPath: string): Promise<ExportSidecar> {
  const ready = currentExport(checkpointFile, onnxPath);
  if (ready) return ready;
  try {
    await buildTrainerExport(daemon, checkpointFile, "onnx", onnxPath);
  } catch (e) {
    if (!(e instanceof TrainerExportError)) throw e;
    throw e.noPython
      ? new PredictionError(`cannot build the ONNX export of ${checkpointFile}: ${e.message}`, 503)
      : new PredictionError(`the ONNX export of ${checkpointFile} failed (python -m trainyard_trainer export) ${e.message}`, 500);
  }
  const sidecar = currentExport(checkpointFile, onnxPath);
  if (!sidecar) throw new PredictionError(`the trainer's export of ${checkpointFile} wrote no usable ${onnxPath}(.json)`, 500);
  return sidecar;
}
