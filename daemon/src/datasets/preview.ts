// The preview: for a dataset + label set + other-class settings + split, the per-class counts in each
// split and the final sample counts. Same computation as the run arrays (selectSamples), on the
// in-memory table, so the numbers are exactly what a run with these settings trains on. For detection
// the classes are box classes, counted in images that have a box of the class; images without one stay
// in as no-findings images (no "other" class). For risk the samples are exams (selectRiskCases, as the
// run arrays select them), their one class the event: counts are exams and events per split.
import { ConfigError } from "@trainyard/config";
import { noSurvivalMessage, SelectionError, selectRiskCases, selectSamples, type RiskSelection, type Selection } from "@trainyard/data";
import { getDataset, listDatasets } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import type { Task } from "@trainyard/protocol/tasks";
import { resolveBoxClasses, resolveLabelSet } from "../runs/label-resolution.ts";
import { detectionIndex, loadDataset, riskCases, usableRows } from "./dataset-tables.ts";

export interface PreviewRequest {
  dataset: string;
  /** A registered label-set name, "all", or a list of diagnoses. */
  labels: string | string[];
  otherClass: boolean;
  otherRatio: number;
  unlabeled: "drop" | "keep";
  split: { by: "patient" | "column"; train: number; val: number; test: number; seed: number; stratified: boolean };
  subsampleFraction?: number;
  subsampleStratified?: boolean;
  /** With an image size whose cache is built, its unreadable images are left out as a run would. */
  imageSize?: number;
  /** training.task (default multilabel): detection selects by box classes, risk by exam. */
  task?: Task;
  /** Risk: training.risk.missing_views (default drop). */
  missingViews?: "drop" | "allow";
}

export interface Preview {
  dataset: string;
  classes: string[];
  counts: Selection["counts"];
  groups: Selection["groups"];
  total: number;
  dropped: Selection["dropped"];
  otherMakeup: Selection["otherMakeup"];
  usableFrom: "cache" | "import";
  ms: number;
  /** Risk: the view slots, exams left out (no image, missing views, subsample) and the missing views by view. */
  risk?: { viewNames: string[]; leftOut: RiskSelection["leftOut"]; missingViews: RiskSelection["missingViews"] };
}

export function computePreview(daemon: Daemon, req: PreviewRequest): Preview {
  const started = performance.now();
  const row = getDataset(daemon.store.db, req.dataset);
  if (!row || row.status !== "ready") {
    const known = listDatasets(daemon.store.db).map((d) => d.name);
    throw new ConfigError([{ path: "dataset.name", message: `unknown dataset "${req.dataset}"; ${known.length ? `known: ${known.join(", ")}` : "none imported yet"}` }]);
  }
  if (req.task === "risk") return riskPreview(daemon, row, req, started);
  const detection = req.task === "detection";
  const labels = detection ? resolveBoxClasses(daemon.store.db, req.labels, row) : resolveLabelSet(daemon.store.db, req.labels, row.diagnoses);
  const entry = loadDataset(daemon, row);
  const { usable, source } = usableRows(daemon, row, entry, req.imageSize);
  let sel: Selection;
  try {
    // as selectionOptionsFromConfig does for a run
    sel = selectSamples(detection ? detectionIndex(entry)! : entry.index, {
      labels,
      otherClass: detection ? false : req.otherClass,
      otherRatio: req.otherRatio,
      unlabeled: detection ? "keep" : req.unlabeled,
      split: req.split,
      subsampleFraction: req.subsampleFraction,
      subsampleStratified: req.subsampleStratified,
      usable,
    });
  } catch (e) {
    if (e instanceof SelectionError) throw new ConfigError([{ path: "dataset.split", message: e.message }]);
    throw e;
  }
  return {
    dataset: row.name,
    classes: sel.classes,
    counts: sel.counts,
    groups: sel.groups,
    total: sel.counts.train.total + sel.counts.val.total + sel.counts.test.total,
    dropped: sel.dropped,
    otherMakeup: sel.otherMakeup,
    usableFrom: source,
    ms: Math.round((performance.now() - started) * 10) / 10,
  };
}

function riskPreview(daemon: Daemon, row: NonNullable<ReturnType<typeof getDataset>>, req: PreviewRequest, started: number): Preview {
  const entry = loadDataset(daemon, row);
  const cases = riskCases(entry);
  if (!cases) throw new ConfigError([{ path: "training.task", message: noSurvivalMessage(`dataset "${row.name}"`) }]);
  const { usable, source } = usableRows(daemon, row, entry, req.imageSize);
  let sel: RiskSelection;
  try {
    // as prepareRiskArrays does for a run
    sel = selectRiskCases(cases, {
      split: req.split,
      subsampleFraction: req.subsampleFraction,
      subsampleStratified: req.subsampleStratified,
      missingViews: req.missingViews ?? "drop",
      usable,
      excluded: entry.table.excluded,
    });
  } catch (e) {
    if (e instanceof SelectionError) throw new ConfigError([{ path: "dataset.split", message: e.message }]);
    throw e;
  }
  return {
    dataset: row.name,
    classes: ["event"],
    counts: sel.counts,
    groups: sel.groups,
    total: sel.counts.train.total + sel.counts.val.total + sel.counts.test.total,
    dropped: { unusable: sel.leftOut.noImage, subsample: sel.leftOut.subsample, unlabeled: 0, otherDownsampled: 0 },
    otherMakeup: [],
    usableFrom: source,
    ms: Math.round((performance.now() - started) * 10) / 10,
    risk: { viewNames: cases.viewNames, leftOut: sel.leftOut, missingViews: sel.missingViews },
  };
}
