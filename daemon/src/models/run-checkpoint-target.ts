// `RUN` or `RUN:CHECKPOINT` as a prediction target: the checkpoint the store recorded, its ONNX export in the
// run's exports/ folder (exports/model.onnx for best, where the trainer's run-end export puts it; built on
// demand otherwise), and the preprocessing facts from the export's sidecar and the run's config.
import { join } from "node:path";
import { getDataset, getRun } from "@trainyard/db";
import { readDatasetTable, type CacheFit } from "@trainyard/data";
import type { ExperimentConfig } from "@trainyard/config";
import type { Daemon } from "../daemon.ts";
import { runDir } from "../home.ts";
import { CheckpointRefError, parseCheckpointRef, resolveCheckpoint } from "../runs/checkpoint-refs.ts";
import { ensureCheckpointOnnx } from "./onnx-export-build.ts";
import { PredictionError, type ExportSidecar, type PredictionTarget } from "./prediction-target.ts";

/** Where a run's checkpoint is exported to ONNX (inside the run's folder). */
export function runOnnxPath(daemon: Daemon, runId: string, checkpoint: string): string {
  return checkpoint === "best" ? join(runDir(daemon.home, runId), "exports", "model.onnx") : join(runDir(daemon.home, runId), "exports", checkpoint, "model.onnx");
}

export async function runCheckpointTarget(daemon: Daemon, ref: string): Promise<PredictionTarget> {
  let ckpt;
  try {
    const { runId, name } = parseCheckpointRef(ref);
    ckpt = resolveCheckpoint(daemon.store.db, daemon.home, runId, name);
  } catch (e) {
    if (e instanceof CheckpointRefError) throw new PredictionError(e.message, 404);
    throw e;
  }
  const run = getRun(daemon.store.db, ckpt.runId)!;
  const sidecar = await ensureCheckpointOnnx(daemon, ckpt.file, runOnnxPath(daemon, ckpt.runId, ckpt.name));
  return targetFromExport(daemon, `${ckpt.runId}:${ckpt.name}`, runOnnxPath(daemon, ckpt.runId, ckpt.name), sidecar, run.config as unknown as ExperimentConfig);
}

/** A target from an export's sidecar and the config it was trained with (also for a registered version's export). */
export function targetFromExport(daemon: Daemon, ref: string, onnxPath: string, sidecar: ExportSidecar, config: ExperimentConfig): PredictionTarget {
  return {
    ref,
    onnxPath,
    task: sidecar.task,
    classes: sidecar.classes,
    imageSize: Number(sidecar.image_size),
    fit: config.training.task === "detection" ? "pad" : datasetFit(daemon, config.dataset.name),
    metadata: sidecar.metadata_encoder && sidecar.metadata_encoder.dim > 0 ? sidecar.metadata_encoder : null,
    inputNames: Object.keys(sidecar.inputs),
    scoreThreshold: config.training.detection?.score_threshold ?? 0.25,
    views: sidecar.views ?? ["image"],
  };
}

/** How the run's dataset made its images square (its cache fit); crop when the dataset is gone. */
function datasetFit(daemon: Daemon, name: string): CacheFit {
  const row = getDataset(daemon.store.db, name);
  if (!row) return "crop";
  try {
    return readDatasetTable(row.dir).cacheFit;
  } catch {
    return "crop";
  }
}

export { PredictionError };
