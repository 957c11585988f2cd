// Resolve a config against a dataset into the arrays a trainer reads: image rows, multi-hot targets,
// encoded metadata and the split, plus per-class counts (the same numbers a preview shows: both come
// from selectSamples).
//
// Detection (training.task detection): the classes are box classes, each image's "diagnoses" are the
// classes of its boxes, and images without a box of the selected classes stay in as "no findings"
// images (there is no "other" class). targets is then image-level presence, which the split stratifies
// on; boxes [B, 6] = (sample, class, x0, y0, x1, y1) in cache pixels, sorted by sample, and geometry
// [n, 6] per sample, so the trainer maps them back to source pixels.
//
// Risk (training.task risk): samples are cases (exams) of several views; run-arrays-risk.ts.
import type { ExperimentConfig } from "@trainyard/config";
import { compileDatasetIndex, type DatasetIndex } from "./dataset-index.ts";
import { boxDiagnoses, type DatasetTable } from "./dataset-table.ts";
import { encodeMetadata, fitEncoder, type MetadataEncoder } from "./metadata-encoder.ts";
import { prepareRiskArrays, type RiskArraysSummary } from "./run-arrays-risk.ts";
import { selectSamples, type SelectionOptions, type SplitCounts } from "./sample-selection.ts";
import { SPLIT_CODES, type SplitName } from "./split.ts";

export interface RunArrays {
  classes: string[];
  /** Row of the image cache for each sample. */
  rows: BigInt64Array;
  /** [n, classes.length] multi-hot. */
  targets: Float32Array;
  /** [n, encoder.dim] or null when metadata is off or the dataset has none. */
  metadata: Float32Array | null;
  encoder: MetadataEncoder | null;
  split: Uint8Array;
  /** counts[split][class] and totals per split. */
  counts: Record<SplitName, SplitCounts>;
  /** Detection: [B, 6] (sample, class, x0, y0, x1, y1) in cache pixels, sorted by sample; null for classification. */
  boxes: Float32Array | null;
  /** Detection: [n, 6] (scale_x, scale_y, pad_x, pad_y, source_w, source_h) per sample; null for classification. */
  geometry: Float32Array | null;
  /** Risk: [n, V] cache row per view slot (viewNames order), -1 for a missing view; null otherwise. */
  views: BigInt64Array | null;
  /** Risk: the view slots (the dataset's view names, sorted; ["image"] without a view column). */
  viewNames: string[] | null;
  /** Risk: [n, 2] (follow-up in years, event). */
  survival: Float32Array | null;
  /** Risk: [n] the true log-hazard, where the dataset knows it (the synthetic demo). */
  oracle: Float32Array | null;
  /** Risk: what was left out and the events per split, for the prepare log. */
  risk: RiskArraysSummary | null;
}

export class RunArraysError extends Error {}

/** Whether a config trains on boxes. */
export const isDetection = (config: ExperimentConfig) => config.training.task === "detection";

/** The table as detection selects from it: each image's diagnoses are its box classes. */
export function detectionTable(table: DatasetTable): DatasetTable {
  if (!table.boxes) throw new RunArraysError("this dataset has no boxes; re-import it with --boxes F, or use training.task multilabel / multiclass");
  return { ...table, diagnoses: boxDiagnoses(table.boxes, table.imageIds.length) };
}

/** The selection options a config asks for. */
export function selectionOptionsFromConfig(config: ExperimentConfig, labels: readonly string[], usable: Uint8Array | null = null): SelectionOptions {
  const { split, labels: l, subsample } = config.dataset;
  const detection = isDetection(config);
  return {
    labels,
    // detection: no "other" class, and an image without boxes is a no-findings image, not an unlabeled one
    otherClass: detection ? false : l.other_class,
    otherRatio: l.other_ratio,
    unlabeled: detection ? "keep" : l.unlabeled,
    split: { by: split.by, train: split.train, val: split.val, test: split.test, seed: split.seed, stratified: split.stratified },
    subsampleFraction: subsample.fraction,
    subsampleStratified: subsample.stratified,
    usable,
  };
}

/** Cache rows (-1 unreadable) -> usable mask, also honouring what the import excluded. */
export function usableFromCacheRows(cacheRows: Int32Array, excluded: readonly number[] = []): Uint8Array {
  const usable = new Uint8Array(cacheRows.length);
  for (let i = 0; i < cacheRows.length; i++) usable[i] = cacheRows[i] >= 0 ? 1 : 0;
  for (const r of excluded) usable[r] = 0;
  return usable;
}

export function prepareRunArrays(opts: {
  table: DatasetTable;
  config: ExperimentConfig;
  /** Selected diagnoses (canonical names, without "other"). */
  labels: string[];
  /** Image cache row per table row, -1 where the image was unreadable. */
  cacheRows: Int32Array;
  /** Compiled from the same table (for detection: from detectionTable(table)). */
  index?: DatasetIndex;
  /** The cache's letterbox geometry per table row (detection). */
  geometry?: readonly (readonly number[])[] | null;
  /** Encode metadata with this encoder instead of fitting one on the train rows (evaluating a model on another dataset). */
  encoder?: MetadataEncoder | null;
}): RunArrays {
  const { config, labels, cacheRows } = opts;
  if (config.training.task === "risk") return prepareRiskArrays({ table: opts.table, config, cacheRows, encoder: opts.encoder });
  const detection = isDetection(config);
  const table = detection ? detectionTable(opts.table) : opts.table;
  const index = opts.index ?? compileDatasetIndex(table);
  const sel = selectSamples(index, selectionOptionsFromConfig(config, labels, usableFromCacheRows(cacheRows, table.excluded)));
  const n = sel.rows.length;
  const C = sel.classes.length;
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const rows = new BigInt64Array(n);
  const targets = new Float32Array(n * C);
  for (let j = 0; j < n; j++) {
    const r = sel.rows[j];
    rows[j] = BigInt(cacheRows[r]);
    if (sel.other[j]) targets[j * C + C - 1] = 1;
    else
      for (const d of table.diagnoses[r]) {
        const c = labelIndex.get(d);
        if (c !== undefined) targets[j * C + c] = 1;
      }
  }
  let encoder: MetadataEncoder | null = null;
  let metadata: Float32Array | null = null;
  if (opts.encoder && config.model.metadata.enabled) {
    encoder = opts.encoder;
    metadata = encodeMetadata(encoder, table.metadata, sel.rows);
  } else if (config.model.metadata.enabled && table.features.length) {
    const trainRows = sel.rows.filter((_, j) => sel.split[j] === SPLIT_CODES.train);
    encoder = fitEncoder(table.features, table.metadata, trainRows);
    metadata = encodeMetadata(encoder, table.metadata, sel.rows);
  }
  const det = detection ? detectionArrays(opts.table, sel.rows, labels, opts.geometry ?? null) : null;
  return {
    classes: sel.classes, rows, targets, metadata, encoder, split: sel.split, counts: sel.counts, boxes: det?.boxes ?? null, geometry: det?.geometry ?? null,
    views: null, viewNames: null, survival: null, oracle: null, risk: null,
  };
}

/** Boxes of the selected classes in cache pixels, and each sample's geometry. */
function detectionArrays(table: DatasetTable, sampleRows: Int32Array, labels: readonly string[], geometry: readonly (readonly number[])[] | null) {
  const b = table.boxes!;
  if (!geometry || geometry.length !== table.imageIds.length)
    throw new RunArraysError("the image cache has no letterbox geometry for this dataset; rebuild it (a detection dataset is cached with --fit pad)");
  const classOf = new Int32Array(b.classes.length).fill(-1);
  const wanted = new Map(labels.map((l, c) => [l, c]));
  b.classes.forEach((name, k) => (classOf[k] = wanted.get(name) ?? -1));
  const n = sampleRows.length;
  const geo = new Float32Array(6 * n);
  let count = 0;
  for (let j = 0; j < n; j++) {
    const r = sampleRows[j];
    for (let k = b.offsets[r]; k < b.offsets[r + 1]; k++) if (classOf[b.labels[k]] >= 0) count++;
  }
  const boxes = new Float32Array(6 * count);
  let at = 0;
  for (let j = 0; j < n; j++) {
    const r = sampleRows[j];
    const g = geometry[r];
    const [sx, sy, px, py, w, h] = g;
    // the boxes were checked against the image's size at import; a cache built from a changed file is another frame
    const iw = b.sizes[2 * r], ih = b.sizes[2 * r + 1];
    if (b.offsets[r + 1] > b.offsets[r] && iw > 0 && (iw !== w || ih !== h))
      throw new RunArraysError(`image ${table.imagePaths[r]} is ${w}x${h} now but was ${iw}x${ih} when its boxes were imported; re-import the dataset`);
    geo.set(g.slice(0, 6), 6 * j);
    for (let k = b.offsets[r]; k < b.offsets[r + 1]; k++) {
      const c = classOf[b.labels[k]];
      if (c < 0) continue; // a class outside the label set: dropped (the image may become a no-findings image)
      const x0 = b.coords[4 * k], y0 = b.coords[4 * k + 1], x1 = b.coords[4 * k + 2], y1 = b.coords[4 * k + 3];
      boxes.set([j, c, x0 * sx + px, y0 * sy + py, x1 * sx + px, y1 * sy + py], 6 * at++);
    }
  }
  return { boxes, geometry: geo };
}
