// What a prediction runs against: an ONNX export plus the facts needed to feed it exactly as the trainer did
// (image size, how the image became a square, the metadata encoder) and to read its outputs (task, classes,
// detection threshold, risk years). A run's checkpoint (run-checkpoint-target.ts) and a registered model
// version (registeredModelTarget, wired to the registry) both resolve to one.
import type { MetadataEncoder } from "@trainyard/data";
import type { CacheFit } from "@trainyard/data";
import type { PredictionField, PredictionTargetInfo } from "@trainyard/protocol";
import type { Task } from "@trainyard/protocol";

export interface PredictionTarget {
  /** How the caller named it, normalised: `RUN:CHECKPOINT` or `MODEL@VERSION`. */
  ref: string;
  /** The ONNX export (inside TRAINYARD_HOME). */
  onnxPath: string;
  task: Task;
  classes: string[];
  /** The square side the model reads (the run's dataset.image_size; its image cache was built at that size). */
  imageSize: number;
  /** crop: shorter side to the size then centre crop; pad: letterboxed (the run's dataset cache fit). */
  fit: CacheFit;
  /** Null when the model takes no metadata. */
  metadata: MetadataEncoder | null;
  /** The ONNX graph's input names, in order (image | images + view_mask, then metadata). */
  inputNames: string[];
  /** detection: boxes scoring below this are not findings (training.detection.score_threshold). */
  scoreThreshold: number;
  /** risk: the exam's views in the model's order (the upload fills the first). */
  views: string[];
}

/** A target that cannot be resolved, or an input it refuses: a sentence saying what and what exists. */
export class PredictionError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

/** The metadata fields of a target, as a form shows them. */
export function targetFields(target: PredictionTarget): PredictionField[] {
  return (target.metadata?.features ?? []).map((f) => {
    switch (f.kind) {
      case "categorical":
        return { name: f.name, kind: f.kind, choices: f.categories };
      case "multiselect":
        return { name: f.name, kind: f.kind, choices: f.options, delimiter: f.delimiter };
      default:
        return { name: f.name, kind: f.kind };
    }
  });
}

export function targetInfo(target: PredictionTarget): PredictionTargetInfo {
  return { ref: target.ref, task: target.task, classes: target.classes, imageSize: target.imageSize, fields: targetFields(target) };
}

/** The sidecar `<model>.onnx.json` the trainer's export writes (export.py): the part a prediction reads. */
export interface ExportSidecar {
  task: Task;
  classes: string[];
  image_size: number;
  metadata_encoder: MetadataEncoder | null;
  output_names: string[];
  inputs: Record<string, string>;
  checkpoint: string;
  epoch: number;
  /** risk: the exam's views in the model's order (null for single-image tasks; absent in older exports). */
  views?: string[] | null;
}
