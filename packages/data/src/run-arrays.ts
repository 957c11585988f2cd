// Resolve a config against a dataset into the arrays a trainer reads: image rows, multi-hot targets,
// encoded metadata and the split, plus per-class counts (the same numbers a preview shows).
import type { ExperimentConfig } from "@trainyard/config";
import type { DatasetTable } from "./dataset-table.ts";
import { encodeMetadata, fitEncoder, type MetadataEncoder } from "./metadata-encoder.ts";
import { sampleOther } from "./other-class.ts";
import { keyedHash } from "./seeded-random.ts";
import { SPLIT_CODES, splitByGroup } from "./split.ts";

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
  counts: Record<"train" | "val" | "test", { total: number; perClass: Record<string, number> }>;
}

const SPLIT_ALIASES: Record<string, number> = { train: 0, training: 0, val: 1, valid: 1, validation: 1, dev: 1, test: 2, testing: 2 };

export function prepareRunArrays(opts: {
  table: DatasetTable;
  config: ExperimentConfig;
  /** Selected diagnoses (canonical names, without "other"). */
  labels: string[];
  /** Image cache row per table row, -1 where the image was unreadable. */
  cacheRows: Int32Array;
}): RunArrays {
  const { table, config, labels, cacheRows } = opts;
  const { split: splitCfg, labels: labelCfg, subsample } = config.dataset;
  const classes = labelCfg.other_class ? [...labels, "other"] : [...labels];
  const labelIndex = new Map(labels.map((l, i) => [l, i]));

  // 1. usable rows: readable image, inside the subsample (whole groups are kept or dropped)
  const usable: number[] = [];
  for (let i = 0; i < table.imageIds.length; i++) {
    if (cacheRows[i] < 0) continue;
    if (subsample.fraction < 1 && keyedHash(splitCfg.seed + 7919, table.groups[i]) / 2 ** 48 >= subsample.fraction) continue;
    usable.push(i);
  }

  // 2. split by group (or the manifest's own column when asked)
  const primary = (i: number) => table.diagnoses[i].find((d) => labelIndex.has(d)) ?? "other";
  let splitOf: (i: number) => number;
  if (splitCfg.by === "column") {
    if (!table.splitColumn) throw new Error("dataset.split.by is 'column' but this dataset was imported without a split column (--split-col)");
    splitOf = (i) => {
      const v = (table.splitColumn![i] ?? "").trim().toLowerCase();
      const code = SPLIT_ALIASES[v];
      if (code === undefined) throw new Error(`row ${i + 1}: split value "${table.splitColumn![i]}" is not train / val / test`);
      return code;
    };
  } else {
    const groups = usable.map((i) => table.groups[i]);
    const codes = splitByGroup(groups, { ...splitCfg, strata: splitCfg.stratified ? usable.map(primary) : null });
    const byRow = new Map(usable.map((row, k) => [row, codes[k]]));
    splitOf = (i) => byRow.get(i)!;
  }

  // 3. labels, the other class and its downsampling in train
  const keep: { row: number; split: number; other: boolean }[] = [];
  const otherCandidates: { index: number; bucket: string }[] = [];
  let labeledTrain = 0;
  for (const i of usable) {
    const s = splitOf(i);
    const selected = table.diagnoses[i].some((d) => labelIndex.has(d));
    if (selected) {
      keep.push({ row: i, split: s, other: false });
      if (s === SPLIT_CODES.train) labeledTrain++;
    } else if (labelCfg.other_class) {
      if (s === SPLIT_CODES.train) otherCandidates.push({ index: i, bucket: table.diagnoses[i][0] ?? "(none)" });
      else keep.push({ row: i, split: s, other: true });
    } else if (labelCfg.unlabeled === "keep") {
      keep.push({ row: i, split: s, other: false });
    }
  }
  for (const i of sampleOther(otherCandidates, labeledTrain, labelCfg.other_ratio, splitCfg.seed))
    keep.push({ row: i, split: SPLIT_CODES.train, other: true });
  keep.sort((a, b) => a.row - b.row);

  // 4. arrays
  const n = keep.length;
  const C = classes.length;
  const rows = new BigInt64Array(n);
  const targets = new Float32Array(n * C);
  const split = new Uint8Array(n);
  const names = ["train", "val", "test"] as const;
  const counts = Object.fromEntries(names.map((s) => [s, { total: 0, perClass: Object.fromEntries(classes.map((c) => [c, 0])) }])) as RunArrays["counts"];
  keep.forEach((k, j) => {
    rows[j] = BigInt(cacheRows[k.row]);
    split[j] = k.split;
    const bucket = counts[names[k.split]];
    bucket.total++;
    if (k.other) {
      targets[j * C + C - 1] = 1;
      bucket.perClass.other++;
    } else {
      for (const d of table.diagnoses[k.row]) {
        const c = labelIndex.get(d);
        if (c !== undefined && targets[j * C + c] === 0) {
          targets[j * C + c] = 1;
          bucket.perClass[d]++;
        }
      }
    }
  });

  let encoder: MetadataEncoder | null = null;
  let metadata: Float32Array | null = null;
  if (config.model.metadata.enabled && table.features.length) {
    const tableRows = keep.map((k) => k.row);
    encoder = fitEncoder(table.features, table.metadata, tableRows.filter((_, j) => split[j] === SPLIT_CODES.train));
    metadata = encodeMetadata(encoder, table.metadata, tableRows);
  }
  return { classes, rows, targets, metadata, encoder, split, counts };
}
