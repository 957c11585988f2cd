// One prediction: resolve the target (a run's checkpoint or a registered model version), decode the upload in
// memory as the trainer's image cache would, encode its metadata with the run's encoder, run the ONNX export
// through onnxruntime-node and read the outputs per task: class probabilities, boxes above the run's score
// threshold (in source-image pixels), or per-year risks.
import { getRun, listRuns } from "@trainyard/db";
import { closestNames } from "@trainyard/data";
import type { Prediction, PredictionMetadata } from "@trainyard/protocol";
import type { Daemon } from "../daemon.ts";
import { parseCheckpointRef } from "../runs/checkpoint-refs.ts";
import { encodeRequestMetadata, metadataCells } from "./metadata-input.ts";
import { OnnxSessions } from "./onnx-sessions.ts";
import { PredictionError, targetInfo, type PredictionTarget } from "./prediction-target.ts";
import { registeredModelNames, registeredModelTarget } from "./registered-model-target.ts";
import { runCheckpointTarget } from "./run-checkpoint-target.ts";
import { decodeUpload, uploadLimits, type ModelImage } from "./upload-image.ts";

const sessions = new OnnxSessions();

/** `RUN`, `RUN:CHECKPOINT` (a run's checkpoint, best by default) or `MODEL[@VERSION|@ALIAS]` (the registry). */
export async function resolveTarget(daemon: Daemon, ref: string): Promise<PredictionTarget> {
  const text = ref.trim();
  if (!text) throw new PredictionError("no target: name a run (RUN or RUN:CHECKPOINT) or a registered model (MODEL[@VERSION|@ALIAS])");
  if (text.includes("@")) return registeredModelTarget(daemon, text);
  let runId = text;
  try {
    runId = parseCheckpointRef(text).runId;
  } catch (e) {
    throw new PredictionError((e as Error).message);
  }
  if (getRun(daemon.store.db, runId)) return runCheckpointTarget(daemon, text);
  const models = registeredModelNames(daemon);
  if (!text.includes(":") && models.includes(text)) return registeredModelTarget(daemon, text);
  const runs = listRuns(daemon.store.db, { limit: 500 });
  const closest = closestNames(runId, [...runs.map((r) => r.id), ...models]);
  throw new PredictionError(`no run or registered model "${runId}"${closest.length ? `; closest: ${closest.join(", ")}` : ""}`, 404);
}

export interface PredictRequest {
  target: string;
  image: Uint8Array;
  metadata?: PredictionMetadata;
}

export async function predict(daemon: Daemon, req: PredictRequest): Promise<Prediction> {
  const t0 = performance.now();
  const limits = uploadLimits();
  const target = await resolveTarget(daemon, req.target);
  const { cells, missing } = metadataCells(target.metadata, req.metadata ?? {});
  const image = await decodeUpload(req.image, target.imageSize, target.fit, limits);
  const t1 = performance.now();
  const ort = await sessions.runtime();
  const session = await sessions.get(target.onnxPath);
  const feeds = modelFeeds(ort, target, image, cells);
  const missingInput = session.inputNames.find((n) => !feeds[n]);
  if (missingInput) throw new PredictionError(`the export ${target.onnxPath} takes an input "${missingInput}" this daemon does not know how to fill; re-export the checkpoint`, 500);
  const out = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]])));
  const t2 = performance.now();
  const result = readOutputs(target, image, out);
  return {
    target: targetInfo(target),
    image: { width: image.header.width, height: image.header.height, format: image.header.format },
    missing,
    ms: { decode: round(t1 - t0), model: round(t2 - t1), total: round(performance.now() - t0) },
    result,
  };
}

/** The target's facts for a form (task, classes, metadata fields), without a prediction. */
export async function describeTarget(daemon: Daemon, ref: string) {
  return targetInfo(await resolveTarget(daemon, ref));
}

const round = (ms: number) => Math.round(ms * 100) / 100;

type Ort = typeof import("onnxruntime-node");
type Tensor = InstanceType<Ort["Tensor"]>;

function modelFeeds(ort: Ort, target: PredictionTarget, image: ModelImage, cells: Record<string, string | null>): Record<string, Tensor> {
  const s = target.imageSize;
  const feeds: Record<string, Tensor> = {};
  if (target.metadata) feeds.metadata = new ort.Tensor("float32", encodeRequestMetadata(target.metadata, cells), [1, target.metadata.dim]);
  if (target.task === "risk") {
    // one uploaded image is the exam's first view; the others are masked as missing
    const v = target.views.length;
    const images = new Float32Array(v * image.chw.length);
    images.set(image.chw, 0);
    const mask = new Float32Array(v);
    mask[0] = 1;
    feeds.images = new ort.Tensor("float32", images, [1, v, 3, s, s]);
    feeds.view_mask = new ort.Tensor("float32", mask, [1, v]);
  } else feeds.image = new ort.Tensor("float32", image.chw, [1, 3, s, s]);
  return feeds;
}

function readOutputs(target: PredictionTarget, image: ModelImage, out: Record<string, Tensor>): Prediction["result"] {
  const numbers = (name: string): number[] => {
    const t = out[name];
    if (!t) throw new PredictionError(`the export ${target.onnxPath} has no output "${name}"; re-export the checkpoint`, 500);
    return Array.from(t.data as ArrayLike<number | bigint>, Number);
  };
  if (target.task === "detection") {
    const boxes = numbers("boxes"), scores = numbers("scores"), labels = numbers("labels");
    const g = image.geometry ?? [1, 1, 0, 0, image.header.width, image.header.height];
    const [sx, sy, px, py, w, h] = g;
    const clip = (v: number, hi: number) => Math.round(Math.min(Math.max(v, 0), hi) * 100) / 100;
    const found = scores
      .map((score, k) => ({
        // model pixels (letterboxed square) back to source pixels
        box: [clip((boxes[4 * k] - px) / sx, w), clip((boxes[4 * k + 1] - py) / sy, h), clip((boxes[4 * k + 2] - px) / sx, w), clip((boxes[4 * k + 3] - py) / sy, h)] as [number, number, number, number],
        label: target.classes[labels[k]] ?? `class ${labels[k]}`,
        score,
      }))
      .filter((b) => b.score >= target.scoreThreshold)
      .sort((a, b) => b.score - a.score);
    return { kind: "boxes", threshold: target.scoreThreshold, boxes: found };
  }
  if (target.task === "risk") return { kind: "risks", risks: numbers("risks").map((risk, k) => ({ year: k + 1, risk })) };
  const p = numbers("probabilities");
  return { kind: "probabilities", probabilities: target.classes.map((label, k) => ({ label, probability: p[k] })) };
}
