// Which samples a run gets, in which split, and with what classes: the single computation behind both
// the preview and the run arrays, so a run trains on exactly the previewed counts.
import { groupOrder, type DatasetIndex } from "./dataset-index.ts";
import { sampleOtherBuckets } from "./other-class.ts";
import { SPLIT_CODES, SPLIT_NAMES, assignGroupSplits, type SplitName } from "./split.ts";

export interface SelectionOptions {
  /** Selected diagnoses, canonical dataset spelling, without "other". */
  labels: readonly string[];
  otherClass: boolean;
  otherRatio: number;
  /** With otherClass false: samples with none of the labels are dropped or kept as all-zero. */
  unlabeled: "drop" | "keep";
  split: { by: "patient" | "column"; train: number; val: number; test: number; seed: number; stratified: boolean };
  /** Fraction of groups kept (whole groups), chosen by hash. */
  subsampleFraction?: number;
  /** Keep each class's share in the subsample (strata as the split's: a group's primary class); default true. */
  subsampleStratified?: boolean;
  /** Per-row usability from a built image cache (1 usable); defaults to "not excluded at import". */
  usable?: Uint8Array | null;
  /** Apply other_ratio to val and test too (default: they keep their natural distribution). */
  otherRatioAllSplits?: boolean;
}

export class SelectionError extends Error {}

export interface SplitCounts {
  total: number;
  perClass: Record<string, number>;
}

export interface Selection {
  classes: string[];
  /** Table rows, ascending. */
  rows: Int32Array;
  split: Uint8Array;
  /** 1 where the sample is in the "other" class. */
  other: Uint8Array;
  counts: Record<SplitName, SplitCounts>;
  /** Where the samples went that are not in the run. */
  dropped: { unusable: number; subsample: number; unlabeled: number; otherDownsampled: number };
  /** Diagnoses that make up "other" in train after downsampling (most first, at most 12). */
  otherMakeup: { diagnosis: string; count: number }[];
  groups: Record<SplitName, number>;
}

export function selectSamples(index: DatasetIndex, opts: SelectionOptions): Selection {
  const { n, groupOf, dxStart, dxCodes } = index;
  const classes = opts.otherClass ? [...opts.labels, "other"] : [...opts.labels];
  // diagnosis code -> class index, -1 when not selected
  const classOf = new Int32Array(index.dxNames.length).fill(-1);
  opts.labels.forEach((l, c) => {
    const code = index.dxCode.get(l);
    if (code === undefined) throw new SelectionError(`"${l}" is not a diagnosis of this dataset`);
    classOf[code] = c;
  });
  const seed = opts.split.seed;
  const fraction = opts.subsampleFraction ?? 1;
  const G = index.groupNames.length;

  // 1. usable rows: readable image, inside the subsample (whole groups kept or dropped)
  const use = new Uint8Array(n);
  const dropped = { unusable: 0, subsample: 0, unlabeled: 0, otherDownsampled: 0 };
  for (let i = 0; i < n; i++) {
    if (opts.usable ? !opts.usable[i] : index.excluded[i]) dropped.unusable++;
    else use[i] = 1;
  }
  // stratum of a group: the primary class (first selected diagnosis, else "other") of its first usable row
  const strataOf = (stratified: boolean) => {
    const stratumOf = new Int32Array(G).fill(-1);
    const otherStratum = stratified ? opts.labels.length : 0;
    for (let i = 0; i < n; i++) {
      if (!use[i] || stratumOf[groupOf[i]] >= 0) continue;
      let s = otherStratum;
      if (stratified)
        for (let k = dxStart[i]; k < dxStart[i + 1]; k++)
          if (classOf[dxCodes[k]] >= 0) {
            s = classOf[dxCodes[k]];
            break;
          }
      stratumOf[groupOf[i]] = s;
    }
    return stratumOf;
  };
  if (fraction < 1) {
    // whole groups, in a seeded order; stratified: the first `fraction` of each stratum's groups, so every
    // class keeps its share (a rare class is not lost to chance); else the first `fraction` of all groups
    const { order, unit } = groupOrder(index, seed + 7919);
    const keepGroup = new Uint8Array(G);
    if (opts.subsampleStratified ?? true) {
      const stratumOf = strataOf(true);
      const total = new Int32Array(opts.labels.length + 1);
      for (let g = 0; g < G; g++) if (stratumOf[g] >= 0) total[stratumOf[g]]++;
      const taken = new Int32Array(opts.labels.length + 1);
      for (const g of order) {
        const st = stratumOf[g];
        if (st >= 0 && taken[st] < Math.round(fraction * total[st])) {
          taken[st]++;
          keepGroup[g] = 1;
        }
      }
    } else for (let g = 0; g < G; g++) keepGroup[g] = unit[g] < fraction ? 1 : 0;
    for (let i = 0; i < n; i++)
      if (use[i] && !keepGroup[groupOf[i]]) {
        use[i] = 0;
        dropped.subsample++;
      }
  }

  // 2. split per row
  const splitOfRow = new Uint8Array(n);
  if (opts.split.by === "column") {
    if (!index.splitColumn) throw new SelectionError("dataset.split.by is 'column' but this dataset was imported without a split column (re-import with --split-col)");
    for (let i = 0; i < n; i++) {
      if (!use[i]) continue;
      const s = index.splitColumn[i];
      if (s < 0) throw new SelectionError(`image ${i + 1}: split value "${index.splitRaw?.[i] ?? ""}" is not train / val / test; fix the manifest or split by patient`);
      splitOfRow[i] = s;
    }
  } else {
    const stratumOf = strataOf(opts.split.stratified);
    const strataNames = opts.split.stratified ? [...opts.labels, "\u0000other"] : [""];
    const perGroup = assignGroupSplits(groupOrder(index, seed).order, stratumOf, strataNames, opts.split);
    for (let i = 0; i < n; i++) if (use[i]) splitOfRow[i] = perGroup[groupOf[i]];
  }

  // 3. labels, the other class and its downsampling
  const D = index.dxNames.length;
  const NONE = D; // bucket of candidates without any diagnosis
  const bucketOf = (i: number) => (dxStart[i] < dxStart[i + 1] ? dxCodes[dxStart[i]] : NONE);
  const keep = new Uint8Array(n); // 1 labelled, 2 other, 3 all-zero, 4 other candidate
  const labeled = [0, 0, 0];
  const candidateCount = [new Int32Array(D + 1), new Int32Array(D + 1), new Int32Array(D + 1)];
  const sampled = (s: number) => s === SPLIT_CODES.train || Boolean(opts.otherRatioAllSplits);
  for (let i = 0; i < n; i++) {
    if (!use[i]) continue;
    let selected = false;
    for (let k = dxStart[i]; k < dxStart[i + 1]; k++) if (classOf[dxCodes[k]] >= 0) selected = true;
    const s = splitOfRow[i];
    if (selected) {
      keep[i] = 1;
      labeled[s]++;
    } else if (opts.otherClass) {
      if (sampled(s)) {
        keep[i] = 4;
        candidateCount[s][bucketOf(i)]++;
      } else keep[i] = 2;
    } else if (opts.unlabeled === "keep") keep[i] = 3;
    else dropped.unlabeled++;
  }
  const bucketOrder = [...Array.from({ length: D }, (_, d) => d).sort((a, b) => (index.dxNames[a] < index.dxNames[b] ? -1 : 1)), NONE];
  for (let s = 0; s < 3; s++) {
    const counts = candidateCount[s];
    let total = 0;
    for (let d = 0; d <= D; d++) total += counts[d];
    if (!total) continue;
    const buckets = Array.from({ length: D + 1 }, (_, d) => new Int32Array(counts[d]));
    const fill = new Int32Array(D + 1);
    for (let i = 0; i < n; i++) if (keep[i] === 4 && splitOfRow[i] === s) {
      const b = bucketOf(i);
      buckets[b][fill[b]++] = i;
    }
    const kept = sampleOtherBuckets(bucketOrder.map((d) => buckets[d]).filter((b) => b.length), labeled[s], opts.otherRatio, seed + s * 0x9e37);
    for (const i of kept) keep[i] = 2;
    dropped.otherDownsampled += total - kept.length;
  }

  // 4. rows and counts
  let m = 0;
  for (let i = 0; i < n; i++) if (keep[i] && keep[i] !== 4) m++;
  const rows = new Int32Array(m);
  const split = new Uint8Array(m);
  const other = new Uint8Array(m);
  const perClass = SPLIT_NAMES.map(() => new Int32Array(classes.length));
  const totals = [0, 0, 0];
  const groupSplits = new Uint8Array(G); // bit s set: the group has samples in split s
  const makeup = new Int32Array(D + 1);
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i] || keep[i] === 4) continue;
    const s = splitOfRow[i];
    rows[j] = i;
    split[j] = s;
    totals[s]++;
    groupSplits[groupOf[i]] |= 1 << s;
    if (keep[i] === 2) {
      other[j] = 1;
      perClass[s][classes.length - 1]++;
      if (s === SPLIT_CODES.train) makeup[bucketOf(i)]++;
    } else if (keep[i] === 1) {
      for (let k = dxStart[i]; k < dxStart[i + 1]; k++) {
        const c = classOf[dxCodes[k]];
        if (c >= 0) perClass[s][c]++;
      }
    }
    j++;
  }
  const counts = Object.fromEntries(
    SPLIT_NAMES.map((name, s) => [name, { total: totals[s], perClass: Object.fromEntries(classes.map((c, k) => [c, perClass[s][k]])) }]),
  ) as Record<SplitName, SplitCounts>;
  const groupCount = [0, 0, 0];
  for (let g = 0; g < G; g++) for (let s = 0; s < 3; s++) if (groupSplits[g] & (1 << s)) groupCount[s]++;
  const groups = Object.fromEntries(SPLIT_NAMES.map((name, s) => [name, groupCount[s]])) as Record<SplitName, number>;
  const otherMakeup = Array.from(makeup, (count, d) => ({ diagnosis: d === NONE ? "(none)" : index.dxNames[d], count }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count || (a.diagnosis < b.diagnosis ? -1 : 1))
    .slice(0, 12);
  return { classes, rows, split, other, counts, dropped, otherMakeup, groups };
}
