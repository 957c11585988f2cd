// Resolve a config against a dataset into the arrays a trainer reads: image rows, multi-hot targets,
// encoded metadata and the split, plus per-class counts (the same numbers a preview shows: both come
// from selectSamples).
import type { ExperimentConfig } from "@trainyard/config";
import { compileDatasetIndex, type DatasetIndex } from "./dataset-index.ts";
import type { DatasetTable } from "./dataset-table.ts";
import { encodeMetadata, fitEncoder, type MetadataEncoder } from "./metadata-encoder.ts";
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
}

/** The selection options a config asks for. */
export function selectionOptionsFromConfig(config: ExperimentConfig, labels: readonly string[], usable: Uint8Array | null = null): SelectionOptions {
  const { split, labels: l, subsample } = config.dataset;
  return {
    labels,
    otherClass: l.other_class,
    otherRatio: l.other_ratio,
    unlabeled: l.unlabeled,
    split: { by: split.by, train: split.train, val: split.val, test: split.test, seed: split.seed, stratified: split.stratified },
    subsampleFraction: subsample.fraction,
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
  index?: DatasetIndex;
}): RunArrays {
  const { table, config, labels, cacheRows } = opts;
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
  if (config.model.metadata.enabled && table.features.length) {
    const trainRows = sel.rows.filter((_, j) => sel.split[j] === SPLIT_CODES.train);
    encoder = fitEncoder(table.features, table.metadata, trainRows);
    metadata = encodeMetadata(encoder, table.metadata, sel.rows);
  }
  return { classes: sel.classes, rows, targets, metadata, encoder, split: sel.split, counts: sel.counts };
}
