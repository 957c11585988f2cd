// Run arrays for risk prediction (training.task risk): a sample is a case (an exam), its images are its
// views. Cases are selected as selectSamples selects images, on a case-level table (one row per case, its
// "diagnosis" the event), so the split stays patient-level, stratified by event, and the subsample keeps
// whole patients; the preview runs the same selection.
//
// Per case: views [n, V] (cache row per view slot in viewNames order, -1 where the view is missing),
// rows [n] (the first present view), survival [n, 2] (years, event), targets [n, 1] (event), metadata
// from the first present view's row, and the oracle log-hazard where the dataset knows it.
import type { ExperimentConfig } from "@trainyard/config";
import { compileDatasetIndex } from "./dataset-index.ts";
import type { DatasetTable } from "./dataset-table.ts";
import { encodeMetadata, fitEncoder, type MetadataEncoder } from "./metadata-encoder.ts";
import { RunArraysError, usableFromCacheRows, type RunArrays } from "./run-arrays.ts";
import { selectSamples, type SelectionOptions, type SplitCounts } from "./sample-selection.ts";
import { SPLIT_CODES, type SplitName } from "./split.ts";

/** The one class of a risk run: its target column is the event. */
export const RISK_CLASSES = ["event"] as const;

/** What a risk run on a dataset without follow-up targets is told (`what`: `dataset "X"`). */
export const noSurvivalMessage = (what: string) =>
  `${what} has no follow-up targets; re-import it with --time-col C --event-col C (and --case-col C --view-col C for exams of several views)`;

/** A table's cases: one entry per case, in the order of their first row. */
export interface RiskCases {
  names: string[];
  viewNames: string[];
  /** [cases * V]: the table row of each case's view slot, -1 where the case has no such image. */
  slots: Int32Array;
  /** Patient (group) per case. */
  groups: string[];
  time: Float64Array;
  event: Uint8Array;
  oracle: Float64Array | null;
  /** The split column's value at the case's first row, when the table has one. */
  splitColumn: (string | null)[] | null;
}

export function compileRiskCases(table: DatasetTable): RiskCases {
  const s = table.survival;
  if (!s) throw new RunArraysError(noSurvivalMessage("this dataset"));
  const V = s.viewNames.length;
  const viewIndex = new Map(s.viewNames.map((v, k) => [v, k]));
  const caseIndex = new Map<string, number>();
  const slots: number[] = [];
  const names: string[] = [], groups: string[] = [], time: number[] = [], event: number[] = [], oracle: number[] = [];
  const split: (string | null)[] = [];
  for (let i = 0; i < s.cases.length; i++) {
    let c = caseIndex.get(s.cases[i]);
    if (c === undefined) {
      c = names.length;
      caseIndex.set(s.cases[i], c);
      names.push(s.cases[i]);
      groups.push(table.groups[i]);
      time.push(s.time[i]);
      event.push(s.event[i]);
      if (s.oracle) oracle.push(s.oracle[i]);
      split.push(table.splitColumn?.[i] ?? null);
      for (let k = 0; k < V; k++) slots.push(-1);
    }
    const k = s.views ? viewIndex.get(s.views[i])! : 0;
    // without a view column a case is one image (the import refuses more); the first row wins
    if (slots[c * V + k] < 0) slots[c * V + k] = i;
  }
  return {
    names, viewNames: [...s.viewNames], slots: Int32Array.from(slots), groups,
    time: Float64Array.from(time), event: Uint8Array.from(event), oracle: s.oracle ? Float64Array.from(oracle) : null,
    splitColumn: table.splitColumn ? split : null,
  };
}

export interface RiskSelectionOptions {
  split: SelectionOptions["split"];
  subsampleFraction?: number;
  subsampleStratified?: boolean;
  /** drop: a case lacking any view is left out; allow: kept with that slot -1. */
  missingViews: "drop" | "allow";
  /** Per table row: 1 where the image is usable (a built cache's view); default: not excluded at import. */
  usable?: Uint8Array | null;
  excluded?: readonly number[];
}

export interface RiskSelection {
  /** Case indices (into RiskCases), ascending. */
  cases: Int32Array;
  split: Uint8Array;
  /** [n * V]: table row per view slot, -1 where the view is missing or its image unusable. */
  views: Int32Array;
  /** Table row of each case's first present view (viewNames order). */
  firstRow: Int32Array;
  /** Per split: cases, and events as perClass.event. */
  counts: Record<SplitName, SplitCounts>;
  groups: Record<SplitName, number>;
  /** Cases not in the run: no usable image, a missing view under drop, outside the subsample. */
  leftOut: { noImage: number; missingViews: number; subsample: number };
  /**
   * Cases (with at least one usable image) lacking each view: left out under drop, kept with -1 slots
   * under allow. `cases` counts each case once.
   */
  missingViews: { policy: "drop" | "allow"; cases: number; byView: Record<string, number> };
}

export function selectRiskCases(rc: RiskCases, opts: RiskSelectionOptions): RiskSelection {
  const C = rc.names.length, V = rc.viewNames.length;
  let usableRow = opts.usable ?? null;
  if (!usableRow) {
    let rows = 0;
    for (let k = 0; k < rc.slots.length; k++) rows = Math.max(rows, rc.slots[k] + 1);
    usableRow = new Uint8Array(rows).fill(1);
    for (const r of opts.excluded ?? []) if (r < rows) usableRow[r] = 0;
  }
  const present = new Int32Array(C * V).fill(-1);
  const candidate = new Uint8Array(C);
  const byView = Object.fromEntries(rc.viewNames.map((v) => [v, 0]));
  let noImage = 0, missingCases = 0, missingDropped = 0;
  for (let c = 0; c < C; c++) {
    let count = 0;
    for (let k = 0; k < V; k++) {
      const r = rc.slots[c * V + k];
      if (r >= 0 && usableRow[r]) {
        present[c * V + k] = r;
        count++;
      }
    }
    if (!count) {
      noImage++;
      continue;
    }
    if (count < V) {
      missingCases++;
      for (let k = 0; k < V; k++) if (present[c * V + k] < 0) byView[rc.viewNames[k]]++;
      if (opts.missingViews === "drop") {
        missingDropped++;
        continue;
      }
    }
    candidate[c] = 1;
  }

  // the case-level table selectSamples splits: events first, so that a patient's stratum (its first
  // usable row's class) is "event" when any of their exams has one
  const order = Int32Array.from({ length: C }, (_, c) => c).sort((a, b) => rc.event[b] - rc.event[a] || a - b);
  const caseTable: DatasetTable = {
    version: 2,
    imageIds: Array.from(order, (c) => rc.names[c]),
    imagePaths: Array.from(order, (c) => rc.names[c]),
    groups: Array.from(order, (c) => rc.groups[c]),
    diagnoses: Array.from(order, (c) => (rc.event[c] ? [...RISK_CLASSES] : [])),
    metadata: {},
    features: [],
    splitColumn: rc.splitColumn ? Array.from(order, (c) => rc.splitColumn![c]) : null,
    excluded: [],
    cacheFit: "crop",
    boxes: null,
    survival: null,
  };
  const index = compileDatasetIndex(caseTable);
  if (!index.dxCode.has(RISK_CLASSES[0])) index.dxCode.set(RISK_CLASSES[0], index.dxNames.push(RISK_CLASSES[0]) - 1); // no event at all: still a class
  const sel = selectSamples(index, {
    labels: RISK_CLASSES,
    otherClass: false,
    otherRatio: 0,
    unlabeled: "keep", // censored cases
    split: opts.split,
    subsampleFraction: opts.subsampleFraction,
    subsampleStratified: opts.subsampleStratified,
    usable: Uint8Array.from(order, (c) => candidate[c]),
  });
  const picked = Array.from(sel.rows, (pos, j) => [order[pos], sel.split[j]] as const).sort((a, b) => a[0] - b[0]);
  const n = picked.length;
  const cases = Int32Array.from(picked, (p) => p[0]);
  const split = Uint8Array.from(picked, (p) => p[1]);
  const views = new Int32Array(n * V);
  const firstRow = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const c = cases[j];
    views.set(present.subarray(c * V, c * V + V), j * V);
    let first = -1;
    for (let k = 0; k < V && first < 0; k++) first = present[c * V + k];
    firstRow[j] = first;
  }
  return {
    cases, split, views, firstRow, counts: sel.counts, groups: sel.groups,
    leftOut: { noImage, missingViews: missingDropped, subsample: sel.dropped.subsample },
    missingViews: { policy: opts.missingViews, cases: missingCases, byView },
  };
}

/** What a risk run's prepare log reports beside the counts. */
export interface RiskArraysSummary {
  viewNames: string[];
  leftOut: RiskSelection["leftOut"];
  missingViews: RiskSelection["missingViews"];
  /** Events and censored cases per split. */
  events: Record<SplitName, { events: number; censored: number }>;
}

/** The risk branch of prepareRunArrays. */
export function prepareRiskArrays(opts: { table: DatasetTable; config: ExperimentConfig; cacheRows: Int32Array; cases?: RiskCases; encoder?: MetadataEncoder | null }): RunArrays {
  const { table, config, cacheRows } = opts;
  const rc = opts.cases ?? compileRiskCases(table);
  const { split: sp, subsample } = config.dataset;
  const sel = selectRiskCases(rc, {
    split: { by: sp.by, train: sp.train, val: sp.val, test: sp.test, seed: sp.seed, stratified: sp.stratified },
    subsampleFraction: subsample.fraction,
    subsampleStratified: subsample.stratified,
    missingViews: config.training.risk.missing_views,
    usable: usableFromCacheRows(cacheRows, table.excluded),
  });
  const n = sel.cases.length, V = rc.viewNames.length;
  const rows = new BigInt64Array(n);
  const views = new BigInt64Array(n * V);
  const targets = new Float32Array(n);
  const survival = new Float32Array(2 * n);
  const oracle = rc.oracle ? new Float32Array(n) : null;
  for (let j = 0; j < n; j++) {
    const c = sel.cases[j];
    rows[j] = BigInt(cacheRows[sel.firstRow[j]]);
    for (let k = 0; k < V; k++) {
      const r = sel.views[j * V + k];
      views[j * V + k] = r < 0 ? -1n : BigInt(cacheRows[r]);
    }
    targets[j] = rc.event[c];
    survival[2 * j] = rc.time[c];
    survival[2 * j + 1] = rc.event[c];
    if (oracle) oracle[j] = rc.oracle![c];
  }
  let encoder: MetadataEncoder | null = null;
  let metadata: Float32Array | null = null;
  if (opts.encoder && config.model.metadata.enabled) {
    encoder = opts.encoder;
    metadata = encodeMetadata(encoder, table.metadata, sel.firstRow);
  } else if (config.model.metadata.enabled && table.features.length) {
    const trainRows = sel.firstRow.filter((_, j) => sel.split[j] === SPLIT_CODES.train);
    encoder = fitEncoder(table.features, table.metadata, trainRows);
    metadata = encodeMetadata(encoder, table.metadata, sel.firstRow);
  }
  const events = Object.fromEntries(
    (["train", "val", "test"] as const).map((s) => [s, { events: sel.counts[s].perClass[RISK_CLASSES[0]] ?? 0, censored: sel.counts[s].total - (sel.counts[s].perClass[RISK_CLASSES[0]] ?? 0) }]),
  ) as RiskArraysSummary["events"];
  return {
    classes: [...RISK_CLASSES], rows, targets, metadata, encoder, split: sel.split, counts: sel.counts, boxes: null, geometry: null,
    views, viewNames: [...rc.viewNames], survival, oracle,
    risk: { viewNames: [...rc.viewNames], leftOut: sel.leftOut, missingViews: sel.missingViews, events },
  };
}
