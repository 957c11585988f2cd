// Prepare a run directory: resolve the config against the dataset, build (or reuse) the image cache,
// write the arrays the trainer memory-maps and spec.json. A detection run also gets boxes.npy (sample,
// class, x0, y0, x1, y1 in cache pixels) and geometry.npy (each sample's letterbox), named in spec.json
// as data.boxes and data.geometry; a classification spec carries neither key. A risk run (one sample per
// exam) gets views.npy [n, V] int64 (cache row per view slot, -1 missing), survival.npy [n, 2] float32
// (years, event) and, where the dataset knows it, oracle.npy [n] float32 (the true log-hazard), named as
// data.views, data.survival, data.oracle, with the view slots as the top-level "views".
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ExperimentConfig } from "@trainyard/config";
import { prepareRunArrays, readDatasetTable, writeFileAtomic, writeNpy, type MetadataEncoder, type RiskArraysSummary } from "@trainyard/data";
import { getDataset, getRun } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { ensureImageCache } from "../datasets/image-caches.ts";
import { runDir } from "../home.ts";
import { minFreeBytes } from "./disk-space.ts";

export const SPEC_FILE = "spec.json";

export async function prepareRun(daemon: Daemon, runId: string, log: (msg: string) => void, resumeCheckpoint: string | null = null): Promise<string> {
  const run = getRun(daemon.store.db, runId)!;
  const config = run.config as unknown as ExperimentConfig;
  const dir = runDir(daemon.home, runId);
  mkdirSync(join(dir, "checkpoints"), { recursive: true });
  // The classes were fixed at submission; a label set edited since then does not change this run.
  const prepared = await writeRunData(daemon, { config, classes: run.classes, dir, log });
  const spec = {
    version: 1,
    run_id: runId,
    run_dir: dir,
    config,
    ...prepared,
    resume: resumeCheckpoint ? { checkpoint: resumeCheckpoint } : null,
    // a warm start (model.init_from), resolved again here: the run it names may have gone since submission;
    // a resumed run restores its own checkpoint instead
    init_from: config.model.init_from && !resumeCheckpoint ? { checkpoint: daemon.initFromCheckpoint(config.model.init_from).file, ref: config.model.init_from } : null,
    // the trainer should refuse to write a checkpoint when less than this is free (clear error, no half file)
    limits: { min_free_bytes: minFreeBytes() },
  };
  const specPath = join(dir, SPEC_FILE);
  writeFileAtomic(specPath, JSON.stringify(spec, null, 2));
  return specPath;
}

/**
 * The dataset side of a spec, for a run or an evaluation (evaluations/evaluation-job.ts): builds (or reuses) the
 * image cache of config.dataset at its image size, writes the arrays into `dir`, and returns the spec's `classes`,
 * `data`, `views` and `counts`. `classes` are the model's (with "other" last when config has the other class);
 * `encoder` encodes the metadata with a model's own encoder instead of fitting one on this dataset's train rows.
 */
export async function writeRunData(
  daemon: Daemon,
  opts: { config: ExperimentConfig; classes: readonly string[]; dir: string; log: (msg: string) => void; encoder?: MetadataEncoder | null },
) {
  const { config, dir, log } = opts;
  const dataset = getDataset(daemon.store.db, config.dataset.name);
  if (!dataset || dataset.status !== "ready") throw new Error(`dataset "${config.dataset.name}" is no longer available`);
  const table = readDatasetTable(dataset.dir);
  const { path: imagesPath, index } = await ensureImageCache(daemon, dataset, table, config.dataset.image_size, (done, total) => {
    if (done === total || done % 1024 === 0) log(`image cache ${config.dataset.name}@${config.dataset.image_size}: ${done}/${total}`);
  });
  if (index.unreadable.length) log(`${index.unreadable.length} unreadable images excluded (first: ${index.unreadable[0].path}: ${index.unreadable[0].error})`);
  // (risk's one class, the event, is not a diagnosis: prepareRunArrays does not read the labels for it)
  const labels = config.dataset.labels.other_class ? opts.classes.slice(0, -1) : [...opts.classes];
  const arrays = prepareRunArrays({ table, config, labels, cacheRows: Int32Array.from(index.rows), geometry: index.geometry, encoder: opts.encoder });
  const n = arrays.split.length;
  mkdirSync(dir, { recursive: true });
  writeNpy(join(dir, "rows.npy"), arrays.rows, [n]);
  writeNpy(join(dir, "targets.npy"), arrays.targets, [n, arrays.classes.length]);
  writeNpy(join(dir, "split.npy"), arrays.split, [n]);
  if (arrays.metadata && arrays.encoder) writeNpy(join(dir, "metadata.npy"), arrays.metadata, [n, arrays.encoder.dim]);
  if (arrays.boxes && arrays.geometry) {
    writeNpy(join(dir, "boxes.npy"), arrays.boxes, [arrays.boxes.length / 6, 6]);
    writeNpy(join(dir, "geometry.npy"), arrays.geometry, [n, 6]);
  }
  if (arrays.views && arrays.viewNames && arrays.survival) {
    writeNpy(join(dir, "views.npy"), arrays.views, [n, arrays.viewNames.length]);
    writeNpy(join(dir, "survival.npy"), arrays.survival, [n, 2]);
    if (arrays.oracle) writeNpy(join(dir, "oracle.npy"), arrays.oracle, [n]);
  }
  const c = arrays.counts;
  log(`samples: train ${c.train.total}, val ${c.val.total}, test ${c.test.total}; classes: ${arrays.classes.join(", ")}`);
  if (arrays.boxes) {
    let noFindings = 0;
    const has = new Uint8Array(n);
    for (let k = 0; k < arrays.boxes.length; k += 6) has[arrays.boxes[k]] = 1;
    for (let j = 0; j < n; j++) noFindings += has[j] ? 0 : 1;
    log(`boxes: ${arrays.boxes.length / 6} on ${n - noFindings} images; ${noFindings} images without findings`);
  }
  if (arrays.risk) for (const line of riskLog(arrays.risk, n)) log(line);
  return {
    classes: arrays.classes,
    data: {
      images: { path: imagesPath, shape: [index.count, index.size, index.size, 3] },
      rows: join(dir, "rows.npy"),
      targets: join(dir, "targets.npy"),
      metadata: arrays.metadata ? join(dir, "metadata.npy") : null,
      split: join(dir, "split.npy"),
      metadata_encoder: arrays.encoder,
      ...(arrays.boxes ? { boxes: join(dir, "boxes.npy"), geometry: join(dir, "geometry.npy") } : {}),
      ...(arrays.views ? { views: join(dir, "views.npy"), survival: join(dir, "survival.npy"), oracle: arrays.oracle ? join(dir, "oracle.npy") : null } : {}),
    },
    ...(arrays.viewNames ? { views: arrays.viewNames } : {}),
    counts: arrays.counts,
  };
}

/** A risk run's prepare log: the exams, what was left out (missing views by view), events per split. */
export function riskLog(r: RiskArraysSummary, n: number): string[] {
  const byView = (counts: Record<string, number>) => Object.entries(counts).filter(([, k]) => k > 0).map(([v, k]) => `${v} ${k}`).join(", ") || "none";
  const m = r.missingViews;
  const lines = [
    `exams: ${n} of ${r.viewNames.length} view${r.viewNames.length === 1 ? "" : "s"} (${r.viewNames.join(", ")})`,
    m.policy === "drop"
      ? `left out for missing views (training.risk.missing_views: drop): ${r.leftOut.missingViews} exams; missing ${byView(m.byView)}`
      : `kept with missing views masked (training.risk.missing_views: allow): ${m.cases} exams; missing ${byView(m.byView)}`,
  ];
  if (r.leftOut.noImage) lines.push(`left out without a usable image: ${r.leftOut.noImage} exams`);
  if (r.leftOut.subsample) lines.push(`left out by subsampling: ${r.leftOut.subsample} exams`);
  lines.push(`events / censored: ${(["train", "val", "test"] as const).map((s) => `${s} ${r.events[s].events}/${r.events[s].censored}`).join(", ")}`);
  return lines;
}
